import { z } from 'zod';
import { duration, httpUrl } from './schema-types';

/**
 * warden.yaml `alertmanager:` — Warden as an Alertmanager for Prometheus (issue 15): alerts posted to
 * /api/v2/alerts. Defaults are Alertmanager's own where it has one.
 */
export const alertmanagerConfigSchema = z.strictObject({
  /** An alert posted without endsAt ends this long after it was last posted (Alertmanager's resolve_timeout). */
  resolve_timeout: duration().default(5 * 60_000),
  /** At most this many posted alerts are held; a batch that would hold more is refused whole (429). */
  max_alerts: z.number().int().min(1).default(100_000),
  /** A resolved posted alert is kept this long (Prometheus re-sends resolved alerts for ~15 min), then forgotten. */
  resolved_retention: duration().default(15 * 60_000),
  /** The URL people reach Warden at, for `externalURL` in webhook payloads (default: the URL it listens on). */
  external_url: httpUrl().optional(),
});
export type AlertmanagerConfig = z.output<typeof alertmanagerConfigSchema>;
export const alertmanagerConfigDefaults: AlertmanagerConfig = alertmanagerConfigSchema.parse({});
