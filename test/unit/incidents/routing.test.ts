import { parseConfig } from '../../../src/config/load-config';
import { ConfigError } from '../../../src/errors';
import { defaultRoute } from '../../../src/incidents/default-route';
import { compileMatcher, parseMatcher } from '../../../src/signals/label-matchers';
import { compileRoute, groupKeyOf, matchRoutes } from '../../../src/incidents/route-tree';
import { notifiersFor } from '../../../src/incidents/dispatch-decision';
import type { Notifier } from '../../../src/notify/notifier';

const fakeNotifier = (receiver: string, channel: Notifier['channel']): Notifier => ({ receiver, channel, send: async () => ({ channel }) });
const all = [fakeNotifier('oncall', 'pagerduty'), fakeNotifier('oncall', 'slack'), fakeNotifier('oncall', 'email'), fakeNotifier('team', 'email')];

function channelsFor(severity: string) {
  const [route] = matchRoutes(defaultRoute(), { alertname: 'X', severity });
  return notifiersFor(route!.target, all).map((n) => `${n.receiver}/${n.channel}`).sort();
}

describe('Alertmanager matchers', () => {
  it('parses the four operators, quoted or not', () => {
    expect(parseMatcher('severity="P0"')).toEqual({ name: 'severity', value: 'P0', isRegex: false, isEqual: true });
    expect(parseMatcher('env!=dev')).toEqual({ name: 'env', value: 'dev', isRegex: false, isEqual: false });
    expect(parseMatcher('component=~"db|cache"')).toMatchObject({ isRegex: true, isEqual: true });
    expect(parseMatcher('x!~"a.*"')).toMatchObject({ isRegex: true, isEqual: false });
    expect(typeof parseMatcher('severity')).toBe('string');
  });

  it('anchors regular expressions to the whole value', () => {
    const m = compileMatcher({ name: 'component', value: 'db', isRegex: true, isEqual: true });
    expect(m.test({ component: 'db' })).toBe(true);
    expect(m.test({ component: 'db-replica' })).toBe(false);
  });

  it('treats a missing label as the empty string', () => {
    expect(compileMatcher({ name: 'env', value: 'prod', isRegex: false, isEqual: false }).test({})).toBe(true);
  });
});

describe('the default routing matrix (spec §11.3)', () => {
  it('pages P0 through PagerDuty only', () => expect(channelsFor('P0')).toEqual(['oncall/pagerduty']));
  it('sends P1 to email and Slack', () => expect(channelsFor('P1')).toEqual(['oncall/email', 'oncall/slack', 'team/email']));
  it('sends P2 to email only', () => expect(channelsFor('P2')).toEqual(['oncall/email', 'team/email']));
  it('notifies nobody for P3 or a missing severity', () => {
    expect(channelsFor('P3')).toEqual([]);
    expect(notifiersFor(matchRoutes(defaultRoute(), { alertname: 'X' })[0]!.target, all)).toEqual([]);
  });
  it('pages P0 at once and waits 30 s to group P1', () => {
    expect(matchRoutes(defaultRoute(), { severity: 'P0' })[0]!.groupWaitMs).toBe(0);
    expect(matchRoutes(defaultRoute(), { severity: 'P1' })[0]!.groupWaitMs).toBe(30_000);
  });
});

describe('a configured routing tree', () => {
  const cfg = parseConfig('warden.yaml', `
notify:
  receivers: [{name: ops}, {name: dba}, {name: audit}]
  route:
    receiver: ops
    group_by: [alertname]
    group_wait: 10s
    routes:
      - matchers: ['component="db"']
        receiver: audit
        continue: true
      - matchers: [{name: component, value: "db|replica", isRegex: true}]
        receiver: dba
        group_by: ['...']
`).notify;
  const root = compileRoute(cfg.route!);

  it('follows continue to later siblings and inherits timings', () => {
    const hits = matchRoutes(root, { alertname: 'Lag', component: 'db' });
    expect(hits.map((r) => r.target.receiver)).toEqual(['audit', 'dba']);
    expect(hits.every((r) => r.groupWaitMs === 10_000)).toBe(true);
  });

  it('falls back to the parent when no child matches', () => {
    expect(matchRoutes(root, { alertname: 'Down', component: 'web' }).map((r) => r.target.receiver)).toEqual(['ops']);
  });

  it('groups by the listed labels, or every label with "..."', () => {
    const [ops] = matchRoutes(root, { alertname: 'Down', component: 'web', instance: 'a' });
    expect(groupKeyOf(ops!, { alertname: 'Down', component: 'web', instance: 'a' })).toBe(groupKeyOf(ops!, { alertname: 'Down', component: 'web', instance: 'b' }));
    const [, dba] = matchRoutes(root, { alertname: 'Lag', component: 'db', instance: 'a' });
    expect(groupKeyOf(dba!, { alertname: 'Lag', component: 'db', instance: 'a' })).not.toBe(groupKeyOf(dba!, { alertname: 'Lag', component: 'db', instance: 'b' }));
  });
});

describe('notify config errors', () => {
  function errorOf(text: string): ConfigError {
    try {
      parseConfig('warden.yaml', text);
    } catch (err) {
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError');
  }

  it('names the file and line of a route that names an unknown receiver', () => {
    const e = errorOf('notify:\n  receivers:\n    - name: ops\n  route:\n    receiver: ops\n    routes:\n      - receiver: nobody\n');
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.line).toBe(7);
    expect(e.field).toBe('notify.route.routes[0].receiver');
    expect(e.message).toMatch(/^warden.yaml:7.*unknown receiver "nobody" \(known: ops\)/);
  });

  it('rejects an escalation level naming an unknown receiver', () => {
    const e = errorOf('notify:\n  receivers: [{name: ops}]\n  escalation:\n    chains:\n      - name: db\n        levels:\n          - receivers: [manager]\n');
    expect(e.message).toMatch(/unknown receiver "manager"/);
    expect(e.line).toBe(7);
  });

  it('rejects a malformed matcher string with its line', () => {
    const e = errorOf('notify:\n  receivers: [{name: ops}]\n  route:\n    receiver: ops\n    matchers: ["severity P0"]\n');
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/not a matcher/);
  });

  it('parses durations and defaults ack_timeout to 5 minutes', () => {
    const c = parseConfig('warden.yaml', 'notify:\n  receivers: [{name: ops}]\n  route: {receiver: ops, group_interval: 1m}\n').notify;
    expect(c.route?.group_interval).toBe(60_000);
    expect(c.escalation.ack_timeout).toBe(300_000);
  });
});
