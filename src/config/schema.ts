import { z } from 'zod';
import { duration, byteSize, httpUrl } from './schema-types';
import { remediationConfigSchema } from './remediation-schema';
import { notifyConfigSchema } from './notify-schema';
import { integrationsConfigSchema, type IntegrationsConfig } from './integrations-schema';
import { simulatorConfigDefaults, simulatorConfigSchema } from './simulator-schema';
import { alertmanagerConfigDefaults, alertmanagerConfigSchema } from './alertmanager-schema';
import { drillConfigSchema } from './drill-schema';
import { maintenanceConfigSchema } from './maintenance-schema';

/** The one schema of warden.yaml: defaults first, unknown keys rejected (like Alertmanager). */

/**
 * An HTTP(S) health endpoint, or postgres://[user@]host[:port][/db] checked as pg_isready does
 * (issue 14 §3: a database node's probe). No password: the check never authenticates, and a
 * secret does not belong in a URL that is logged.
 */
const probeUrl = () => z.string().regex(/^(https?|postgres(ql)?):\/\/\S+$/, 'must be an http(s):// or postgres:// URL')
  .refine((u) => !/^postgres/.test(u) || !/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(u), 'a postgres:// probe takes no password (it never authenticates, like pg_isready)');

const probeSchema = z.strictObject({
  url: probeUrl(),
  // spec §3.4 timeout policy: internal RPC 3 s; probes every 5 s by default.
  interval: duration().default(5000),
  timeout: duration().default(3000),
  // spec §4.1: three consecutive failures mark a service down.
  failure_threshold: z.number().int().min(1).default(3),
  // issue 14: after a first failure, re-probe this often until down or a success (not a whole interval).
  // Unset, it is 250 ms or the interval if that is shorter; set above the interval, it is an error.
  confirm_interval: duration().optional(),
}).refine((p) => p.confirm_interval === undefined || p.confirm_interval <= p.interval, { message: 'confirm_interval must not exceed interval', path: ['confirm_interval'] })
  .transform((p) => ({ ...p, confirm_interval: p.confirm_interval ?? Math.min(250, p.interval) }));

const componentSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, - or _')
    // GET /v1/health/events is the transitions route; a component of that name would be shadowed.
    .refine((n) => n !== 'events', '"events" is reserved (GET /v1/health/events lists health transitions)'),
  critical: z.boolean().default(false),
  probe: probeSchema.optional(),
});

// Prometheus: scrape_timeout defaults to the smaller of 10 s and the interval, and a timeout
// longer than the interval is a config error. Warden's default is 3 s (spec §10.3), capped alike.
const DEFAULT_SCRAPE_TIMEOUT_MS = 3000;

const scrapeSchema = z
  .strictObject({
    job: z.string().min(1),
    url: httpUrl(),
    interval: duration().default(15000),
    /** Default: 3 s, or the interval if shorter. */
    timeout: duration().optional(),
    /** Extra labels put on every scraped series (Prometheus `static_configs.labels`). */
    labels: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((s, ctx) => {
    if (s.timeout !== undefined && s.timeout > s.interval) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `must not exceed interval (${s.interval} ms), as in Prometheus` });
  })
  .transform((s) => ({ ...s, timeout: s.timeout ?? Math.min(DEFAULT_SCRAPE_TIMEOUT_MS, s.interval) }));

const limitsSchema = z.strictObject({
  max_labels: z.number().int().min(1).default(32),
  max_label_value_bytes: z.number().int().min(1).default(1024),
  max_body: byteSize().default(10 * 1024 * 1024),
  max_future: duration().default(5 * 60_000),
  /** How much history each series keeps for range functions (rate, *_over_time). */
  window: duration().default(15 * 60_000),
  max_points_per_series: z.number().int().min(2).default(4096),
  /** A push or scrape that would create series past these is rejected whole (too_many_series / up 0). */
  max_series: z.number().int().min(1).default(1_000_000),
  max_series_per_metric: z.number().int().min(1).default(200_000),
  /** A rule that is not evaluated incrementally is evaluated at most once per this under load. */
  rule_coalesce_window: duration().default(5),
});

export const SCOPES = ['ingest', 'read', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Where a token's secret comes from; exactly one per entry (resolved by load-config). */
export const TOKEN_SOURCES = ['token', 'token_file', 'token_env', 'token_sha256'] as const;

const tokenSchema = z.strictObject({
  name: z.string().min(1),
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A file holding the token (relative to warden.yaml); surrounding whitespace is ignored. */
  token_file: z.string().min(1).optional(),
  /** An environment variable holding the token. */
  token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  /** The sha256 (hex) of the token, so warden.yaml holds no secret: `printf %s "$TOKEN" | sha256sum`. */
  token_sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (the sha256 of the token)').optional(),
  scopes: z.array(z.enum(SCOPES)).min(1),
}).superRefine((t, ctx) => {
  const given = TOKEN_SOURCES.filter((k) => t[k] !== undefined);
  if (given.length === 0) ctx.addIssue({ code: 'custom', message: `needs exactly one of ${TOKEN_SOURCES.join(', ')}` });
  else if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1] as string], message: `give only one of ${TOKEN_SOURCES.join(', ')} (also has ${given[0]})` });
});

/** `redis:`; also read alone by the CLI's Redis-only commands (audit verify/export). */
export const redisConfigSchema = z
  .strictObject({
    url: z.string().regex(/^(rediss?|redis\+sentinel):\/\//, 'must be a redis://, rediss:// or redis+sentinel:// URL').optional(),
    /** Redis Sentinel: the sentinels' host:port (any that answer tell Warden the primary of `name`). */
    sentinels: z.array(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port')).min(1).optional(),
    /** The master group name the sentinels monitor (`sentinel monitor <name> ...`). */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a Sentinel master name ([A-Za-z0-9._-])').optional(),
    /** Key prefix, so several Wardens (or tests) can share one Redis. */
    prefix: z.string().default('warden'),
  })
  .superRefine((r, ctx) => {
    if (r.sentinels && r.url) ctx.addIssue({ code: 'custom', path: ['sentinels'], message: 'give either url or sentinels, not both' });
    if (r.sentinels && !r.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'sentinels need the master group name (redis.name)' });
    if (r.name && !r.sentinels) ctx.addIssue({ code: 'custom', path: ['name'], message: 'name is the Sentinel master group: it needs redis.sentinels' });
  })
  .default({ prefix: 'warden' });

export const configSchema = z.strictObject({
  server: z.strictObject({
    /** Bind address; 127.0.0.1 unless set (and always 127.0.0.1 while no token is configured). */
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65535).default(9097),
    /** /metrics asks for a token with the read scope (off by default: Prometheus scrapes it on a private network). */
    metrics_auth: z.boolean().default(false),
  }).default({ port: 9097, metrics_auth: false }),
  redis: redisConfigSchema,
  components: z.array(componentSchema).default([]),
  scrape: z.array(scrapeSchema).default([]),
  rules: z.array(z.string().min(1)).default([]),
  // spec §6.3: checkpoints every 60 s, so data older than that is not current.
  staleness: duration().default(60_000),
  /** How often the timer evaluates `for`, `keep_firing_for`, staleness and absent(). */
  evaluation_interval: duration().default(1000),
  limits: limitsSchema.default(limitsSchema.parse({})),
  auth: z.strictObject({ tokens: z.array(tokenSchema).default([]) }).default({ tokens: [] }),
  exchange: z.strictObject({ admin_url: httpUrl().optional() }).default({}),
  remediation: remediationConfigSchema.default(remediationConfigSchema.parse({})),
  notify: notifyConfigSchema.default(notifyConfigSchema.parse({})),
  simulator: simulatorConfigSchema.default(simulatorConfigDefaults),
  alertmanager: alertmanagerConfigSchema.default(alertmanagerConfigDefaults),
  /** `warden drill`: where faults are injected (the simulator unless fault_hooks_url is set). */
  drill: drillConfigSchema.default({}),
  /** The audit chain's head is published this often (when it moved) for `warden audit verify --anchors`. */
  audit: z.strictObject({
    anchor_interval: duration().default(60_000),
    /** Also append anchors to this JSONL file (relative to warden.yaml), fsynced; ship or back it up elsewhere. */
    anchor_file: z.string().min(1).optional(),
  }).default({ anchor_interval: 60_000 }),
  /**
   * Where durable writes that wait for Redis (an outage) are also kept on local disk, so a kill -9
   * meanwhile loses none: the next start makes them (issue 9). Relative to warden.yaml. One
   * directory per host: Warden processes sharing it each write their own file, and a starting one
   * takes over the files of those that no longer run. `max_bytes` bounds one process's file.
   */
  journal: z.strictObject({
    dir: z.string().min(1).default('.warden/journal'),
    max_bytes: byteSize().default(256 * 1024 * 1024),
  }).default({ dir: '.warden/journal', max_bytes: 256 * 1024 * 1024 }),
  /**
   * Maintenance windows (issue 13 §3): matching alerts are recorded, not notified, and remediations
   * of matching targets are held until the window ends. More can be opened with POST /v1/maintenance.
   */
  maintenance: maintenanceConfigSchema.default([]),
  /** Inbound PagerDuty webhooks and Slack interactivity (issue 13); off unless configured. */
  integrations: integrationsConfigSchema.default({}),
  /**
   * Issue 12: replicas on one Redis elect one leader by a lease; only it acts (pages, remediates,
   * anchors). A lease not renewed within lease_ttl is lost, locally at once.
   */
  cluster: z.strictObject({
    /** Unset: hostname-pid. Must differ between replicas. */
    replica_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits, _ . : or -').optional(),
    lease_ttl: duration().default(5000),
    renew_interval: duration().default(1000),
  }).refine((c) => c.renew_interval * 2 <= c.lease_ttl, { message: 'renew_interval must be at most half of lease_ttl (a lease must survive one missed renewal)', path: ['renew_interval'] })
    .default({ lease_ttl: 5000, renew_interval: 1000 }),
  log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type ParsedConfig = z.output<typeof configSchema>;
export type TokenConfig = ParsedConfig['auth']['tokens'][number];
/** A token entry once load-config read its secret: only the digest is kept (plus `token` if written inline). */
export type AuthToken = TokenConfig & { readonly sha256: string };
export type WardenConfig = Omit<ParsedConfig, 'auth' | 'integrations'> & { auth: { tokens: AuthToken[] }; integrations: IntegrationsConfig };
export type ComponentConfig = WardenConfig['components'][number];
export type ScrapeConfig = WardenConfig['scrape'][number];
export type LimitsConfig = WardenConfig['limits'];

/** JSON Schema for editors (`warden schema`, and schema/warden.schema.json). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
