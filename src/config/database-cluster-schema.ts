import { z } from 'zod';
import { byteSize, duration } from './schema-types';

/**
 * warden.yaml `remediation.executors.databases:` — the database clusters failover_database may
 * act on (issue 14 §3). Each node is a configured component with a probe (the "N failed probes"
 * half of spec §5's fencing; load-config checks it). Connection strings are secrets, given exactly
 * once as `url`, `url_file` (relative to warden.yaml) or `url_env`, read once at load.
 */

const NODE_SECRET_SOURCES = ['url', 'url_file', 'url_env'] as const;
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const nodeSchema = z.strictObject({
  /** The node's component name (warden.yaml components[].name), probed by Warden. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, - or _'),
  /** driver postgres: a postgresql:// connection string for a role that may run pg_promote(). */
  url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL').optional(),
  url_file: z.string().min(1).optional(),
  url_env: envName.optional(),
  /** driver patroni: the node's Patroni REST API, e.g. http://10.0.0.5:8008 */
  api_url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL').optional(),
});

/** A schema-qualified or plain SQL identifier, validated here so it is never a quoting problem later. */
const sqlIdentifier = z.string().regex(/^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier, optionally schema-qualified (e.g. warden.failover_check)');

export const databaseClusterSchema = z.strictObject({
  /** The cluster's name: the failover_database rule's target and the `cluster` label of its series. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, - or _'),
  driver: z.enum(['postgres', 'patroni']),
  nodes: z.array(nodeSchema).min(2, 'a cluster needs a primary and at least one replica'),
  /** driver postgres: the table the new primary must accept a write into before the exchange is told. */
  check_table: sqlIdentifier.default('warden_failover_check'),
  /** Each connection attempt (the action's own "is the old primary really down" and every check). */
  connect_timeout: duration().default(2000),
  /** pg_promote(wait_seconds) / Patroni's own failover wait; spec §13: database failover 60 s. */
  promote_timeout: duration().default(60_000),
  /** WAL a candidate may have received but not yet replayed; more means a long promotion. */
  max_replay_lag: byteSize().default(16 * 1024 * 1024),
  /** How often Warden asks every node its role (warden_database_primary, split-brain detection). */
  observe_interval: duration().default(2000),
  /**
   * driver postgres, as Patroni's synchronous_mode_strict: false (default) turns synchronous_standby_names
   * off on the new primary when no standby is left, so it accepts writes; true keeps it (writes wait
   * until a standby joins: no commit is ever acknowledged by one node alone).
   */
  synchronous_mode_strict: z.boolean().default(false),
  /** driver patroni: "user:password" for Patroni's restapi.authentication (POST /failover). */
  api_auth: z.string().min(3).optional(),
  api_auth_file: z.string().min(1).optional(),
  api_auth_env: envName.optional(),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.nodes.forEach((n, i) => {
    if (seen.has(n.name)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'name'], message: `node "${n.name}" is listed twice` });
    seen.add(n.name);
    const given = NODE_SECRET_SOURCES.filter((k) => n[k] !== undefined);
    if (c.driver === 'postgres') {
      if (given.length !== 1) ctx.addIssue({ code: 'custom', path: ['nodes', i, given[1] ?? 'url'], message: `driver postgres needs exactly one of ${NODE_SECRET_SOURCES.join(', ')} per node` });
      if (n.api_url !== undefined) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'api_url'], message: 'api_url is for driver patroni' });
    } else {
      if (n.api_url === undefined) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'api_url'], message: 'driver patroni needs api_url per node' });
      if (given.length > 0) ctx.addIssue({ code: 'custom', path: ['nodes', i, given[0] as string], message: `${given[0]} is for driver postgres` });
    }
  });
  const auth = (['api_auth', 'api_auth_file', 'api_auth_env'] as const).filter((k) => c[k] !== undefined);
  if (auth.length > 1) ctx.addIssue({ code: 'custom', path: [auth[1] as string], message: `give only one of api_auth, api_auth_file, api_auth_env (also has ${auth[0]})` });
  if (auth.length > 0 && c.driver !== 'patroni') ctx.addIssue({ code: 'custom', path: [auth[0] as string], message: `${auth[0]} is for driver patroni` });
});

export const databaseClustersSchema = z.array(databaseClusterSchema).default([]).superRefine((clusters, ctx) => {
  const names = new Set<string>();
  const nodes = new Map<string, string>();
  clusters.forEach((c, i) => {
    if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate database cluster "${c.name}"` });
    names.add(c.name);
    c.nodes.forEach((n, j) => {
      const other = nodes.get(n.name);
      if (other !== undefined && other !== c.name) ctx.addIssue({ code: 'custom', path: [i, 'nodes', j, 'name'], message: `node "${n.name}" is already in cluster "${other}"` });
      nodes.set(n.name, c.name);
    });
  });
});

export type DatabaseClusterConfig = z.output<typeof databaseClusterSchema>;
export type DatabaseNodeConfig = DatabaseClusterConfig['nodes'][number];
