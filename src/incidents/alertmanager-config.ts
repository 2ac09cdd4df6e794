import { stringify } from 'yaml';
import { formatDurationMs } from '../config/duration';
import type { NotifyConfig } from '../config/notify-schema';
import type { ReceiverConfig } from '../config/receiver-schema';
import type { Channel } from '../notify/notifier';
import type { WebhookHttpConfig } from '../config/webhook-config';
import { formatMatcher } from '../signals/label-matchers';
import type { Route, RouteTarget } from './route-tree';

/** The receiver of a route that notifies nobody (spec §11.3: P3 is dashboard only). */
export const DASHBOARD_RECEIVER = 'warden-dashboard';

/**
 * The Alertmanager receiver name of a route target. A target of channels (spec §11.3's default
 * matrix: "every receiver's PagerDuty") has no name in warden.yaml, so it gets one made of them.
 */
export function receiverNameOf(target: RouteTarget): string {
  if (target.receiver !== undefined) return target.receiver;
  if (target.channels !== undefined && target.channels.length > 0) return `warden-${[...target.channels].sort().join('-')}`;
  return DASHBOARD_RECEIVER;
}

/** Every receiver name the tree routes to, root first, each once. */
export function routeReceiverNames(root: Route): string[] {
  const names = new Set<string>();
  const walk = (r: Route) => {
    names.add(receiverNameOf(r.target));
    r.routes.forEach(walk);
  };
  walk(root);
  return [...names];
}

/**
 * Warden's running routing tree as an Alertmanager configuration file (GET /api/v2/status
 * `config.original`, what `amtool config routes` reads). Timings are written on every node as they
 * were inherited, so the file routes exactly as Warden does. Secrets are `<secret>`, as Alertmanager
 * shows them.
 */
export function alertmanagerConfigYaml(root: Route, notify: NotifyConfig, resolveTimeoutMs: number): string {
  const receivers = routeReceiverNames(root).map((name) => receiverYaml(name, notify.receivers, root));
  for (const r of notify.receivers) if (!receivers.some((y) => y.name === r.name)) receivers.push(receiverYaml(r.name, notify.receivers, root));
  const doc = {
    global: { resolve_timeout: formatDurationMs(resolveTimeoutMs) },
    route: routeYaml(root, true),
    receivers,
    ...(notify.inhibit_rules.length > 0 ? {
      inhibit_rules: notify.inhibit_rules.map((r) => ({
        source_matchers: r.source_matchers.map(formatMatcher),
        target_matchers: r.target_matchers.map(formatMatcher),
        ...(r.equal.length > 0 ? { equal: r.equal } : {}),
      })),
    } : {}),
  };
  return stringify(doc, { lineWidth: 0 });
}

function routeYaml(r: Route, root: boolean): Record<string, unknown> {
  return {
    receiver: receiverNameOf(r.target),
    group_by: r.groupBy === 'all' ? ['...'] : [...r.groupBy],
    // Alertmanager refuses matchers on the root route (it matches every alert anyway).
    ...(!root && r.matchers.length > 0 ? { matchers: r.matchers.map(formatMatcher) } : {}),
    ...(r.continue ? { continue: true } : {}),
    group_wait: formatDurationMs(r.groupWaitMs),
    group_interval: formatDurationMs(r.groupIntervalMs),
    repeat_interval: formatDurationMs(r.repeatIntervalMs),
    ...(r.routes.length > 0 ? { routes: r.routes.map((c) => routeYaml(c, false)) } : {}),
  };
}

/** A named receiver as configured, or a channel receiver made of every configured receiver's configs of those channels. */
function receiverYaml(name: string, receivers: readonly ReceiverConfig[], root: Route): Record<string, unknown> & { name: string } {
  const own = receivers.find((r) => r.name === name);
  const channels = own ? undefined : channelsOf(name, root);
  const from = own ? [own] : channels ? receivers : [];
  const wants = (c: Channel) => own !== undefined || (channels?.includes(c) ?? false);
  const out: Record<string, unknown> & { name: string } = { name };
  const pagerduty = wants('pagerduty') ? from.flatMap((r) => r.pagerduty_configs) : [];
  const slack = wants('slack') ? from.flatMap((r) => r.slack_configs) : [];
  const email = wants('email') ? from.flatMap((r) => r.email_configs) : [];
  const webhook = wants('webhook') ? from.flatMap((r) => webhookConfigsOf(r)) : [];
  if (pagerduty.length > 0) out.pagerduty_configs = pagerduty.map((c) => ({ routing_key: '<secret>', url: `${c.url.replace(/\/$/, '')}/v2/enqueue`, send_resolved: true, http_config: { follow_redirects: true } }));
  if (slack.length > 0) out.slack_configs = slack.map((c) => ({ api_url: `${c.api_url}chat.postMessage`, channel: c.channel, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: '<secret>' } } }));
  if (email.length > 0) {
    out.email_configs = email.map((c) => ({
      to: c.to, from: c.from, smarthost: c.smarthost, require_tls: c.require_tls, send_resolved: true,
      ...(c.auth_username !== undefined ? { auth_username: c.auth_username, auth_password: '<secret>' } : {}),
    }));
  }
  if (webhook.length > 0) out.webhook_configs = webhook;
  return out;
}

/**
 * webhook_configs as Alertmanager writes them (issue 15 §4): the URL is a secret there (it often
 * carries a token), so are credentials; file paths are shown.
 */
function webhookConfigsOf(r: ReceiverConfig): Array<Record<string, unknown>> {
  return r.webhook_configs.map((c) => ({
    send_resolved: c.send_resolved,
    http_config: httpConfigYaml(c.http_config),
    ...(c.url_file !== undefined ? { url_file: c.url_file } : { url: '<secret>' }),
    max_alerts: c.max_alerts,
    timeout: formatDurationMs(c.timeout),
  }));
}

function httpConfigYaml(h: WebhookHttpConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (h.authorization) {
    out.authorization = { type: h.authorization.type, ...(h.authorization.credentials_file !== undefined ? { credentials_file: h.authorization.credentials_file } : { credentials: '<secret>' }) };
  }
  if (h.basic_auth) {
    out.basic_auth = { username: h.basic_auth.username, ...(h.basic_auth.password_file !== undefined ? { password_file: h.basic_auth.password_file } : { password: '<secret>' }) };
  }
  // Prometheus common config shows bearer_token as the authorization it stands for.
  if (h.bearer_token !== undefined) out.authorization = { type: 'Bearer', credentials: '<secret>' };
  if (h.bearer_token_file !== undefined) out.authorization = { type: 'Bearer', credentials_file: h.bearer_token_file };
  if (h.tls_config) {
    const t = h.tls_config;
    out.tls_config = {
      ...(t.ca_file !== undefined ? { ca_file: t.ca_file } : {}),
      ...(t.cert_file !== undefined ? { cert_file: t.cert_file, key_file: t.key_file } : {}),
      ...(t.server_name !== undefined ? { server_name: t.server_name } : {}),
      insecure_skip_verify: t.insecure_skip_verify,
    };
  }
  out.follow_redirects = h.follow_redirects;
  return out;
}

function channelsOf(name: string, root: Route): readonly Channel[] | undefined {
  let found: readonly Channel[] | undefined;
  const walk = (r: Route) => {
    if (found) return;
    if (r.target.receiver === undefined && r.target.channels !== undefined && receiverNameOf(r.target) === name) found = r.target.channels;
    r.routes.forEach(walk);
  };
  walk(root);
  return found;
}
