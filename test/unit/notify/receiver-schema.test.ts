import { receiverSchema } from '../../../src/config/receiver-schema';

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF';

function issues(input: unknown): string[] {
  const result = receiverSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('receiver config (Alertmanager-like, snake_case, unknown keys rejected)', () => {
  it('a full receiver parses with defaults applied and durations in ms', () => {
    const r = receiverSchema.parse({
      name: 'oncall',
      pagerduty_configs: [{ routing_key: ROUTING_KEY }],
      slack_configs: [{ token: 'xoxb-1', channel: '#alerts', timeout: '3s' }],
      email_configs: [{ to: 'a@example.com', from: 'w@example.com', smarthost: 'smtp.example.com:587', auth_username: 'u', auth_password: 'p' }],
    });
    expect(r.pagerduty_configs[0]).toEqual({ routing_key: ROUTING_KEY, url: 'https://events.pagerduty.com', timeout: 10_000 });
    expect(r.slack_configs[0]).toEqual({ token: 'xoxb-1', channel: '#alerts', api_url: 'https://slack.com/api/', timeout: 3000 });
    expect(r.email_configs[0]).toMatchObject({ smarthost: 'smtp.example.com:587', require_tls: true, timeout: 10_000 });
  });

  it('a receiver with no configs is valid (a sink, like Alertmanager\'s "null" receiver)', () => {
    expect(receiverSchema.parse({ name: 'blackhole' })).toEqual({ name: 'blackhole', pagerduty_configs: [], slack_configs: [], email_configs: [], webhook_configs: [] });
  });

  it.each([
    ['an unknown key', { name: 'x', opsgenie_configs: [] }, /Unrecognized key: "opsgenie_configs"/],
    ['a camelCase key', { name: 'x', pagerduty_configs: [{ routingKey: ROUTING_KEY }] }, /pagerduty_configs.0.routing_key: .*|Unrecognized key: "routingKey"/],
    ['an http PagerDuty url (pdjs only speaks https)', { name: 'x', pagerduty_configs: [{ routing_key: ROUTING_KEY, url: 'http://127.0.0.1:9' }] }, /pagerduty_configs.0.url: must be an https base URL/],
    ['a Slack api_url without trailing slash', { name: 'x', slack_configs: [{ token: 't', channel: 'c', api_url: 'http://127.0.0.1:9/api' }] }, /slack_configs.0.api_url: must be an http\(s\) URL ending in \//],
    ['a smarthost without port', { name: 'x', email_configs: [{ to: 'a@b.c', from: 'd@e.f', smarthost: 'smtp.example.com' }] }, /email_configs.0.smarthost: must be host:port/],
    ['a smarthost port out of range', { name: 'x', email_configs: [{ to: 'a@b.c', from: 'd@e.f', smarthost: 'smtp:70000' }] }, /port must be 1-65535/],
    ['a username without password', { name: 'x', email_configs: [{ to: 'a@b.c', from: 'd@e.f', smarthost: 'h:25', auth_username: 'u' }] }, /email_configs.0.auth_password: auth_username and auth_password go together/],
    ['a malformed timeout', { name: 'x', slack_configs: [{ token: 't', channel: 'c', timeout: '5 seconds' }] }, /slack_configs.0.timeout: must be a duration/],
    ['a name with spaces', { name: 'on call' }, /name: must be letters, digits/],
  ])('%s is rejected with a message saying what to fix', (_what, input, message) => {
    const found = issues(input);
    expect(found.join('\n')).toMatch(message);
  });
});
