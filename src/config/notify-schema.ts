import { z } from 'zod';
import { duration, labelName } from './schema-types';
import { matcherSchema, type Matcher } from '../signals/label-matchers';
import { receiverSchema } from './receiver-schema';

/**
 * warden.yaml `notify:` — receivers, routing tree, inhibition and escalation (issue 5), in
 * Alertmanager's shape. Without a `route`, spec §11.3's matrix applies (src/incidents/default-route.ts).
 * Cross-references (a route naming an unknown receiver) are checked in checkNotifyReferences.
 */

/** A route node as written; unset timing and grouping fields inherit from the parent (Alertmanager). */
export interface RouteConfig {
  receiver?: string;
  group_by?: string[];
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
  matchers: Matcher[];
  continue: boolean;
  routes: RouteConfig[];
}

const groupByLabel = z.union([z.literal('...'), labelName()]);

export const routeSchema: z.ZodType<RouteConfig, unknown> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().min(1).optional(),
    /** `['...']` groups by every label: one group (and one page) per alert. */
    group_by: z.array(groupByLabel).optional(),
    group_wait: duration().optional(),
    group_interval: duration().optional(),
    repeat_interval: duration().optional(),
    matchers: z.array(matcherSchema).default([]),
    continue: z.boolean().default(false),
    routes: z.array(routeSchema).default([]),
  }),
);

const inhibitRuleSchema = z.strictObject({
  source_matchers: z.array(matcherSchema).min(1, 'an inhibit rule needs at least one source matcher'),
  target_matchers: z.array(matcherSchema).min(1, 'an inhibit rule needs at least one target matcher'),
  /** Labels that must have the same value on source and target (e.g. [component]). */
  equal: z.array(labelName()).default([]),
});

const escalationChainSchema = z.strictObject({
  name: z.string().min(1),
  /** Which P0 incidents this chain applies to; the first matching chain wins. Empty = all. */
  matchers: z.array(matcherSchema).default([]),
  /** Level 1 is notified after one ack_timeout without acknowledgement, level 2 after two, ... */
  levels: z.array(z.strictObject({ receivers: z.array(z.string().min(1)).min(1) })).min(1),
});

const escalationSchema = z.strictObject({
  // issue 5: a P0 not acknowledged within 5 minutes re-pages and escalates.
  ack_timeout: duration().default(5 * 60_000),
  /** issue 13: an acknowledged P0 still open this long reminds its Slack and email recipients, then again each time it passes. 0 turns it off. */
  ack_reminder: z.union([z.literal(0), duration()]).default(30 * 60_000),
  chains: z.array(escalationChainSchema).default([]),
});

export const notifyConfigSchema = z.strictObject({
  receivers: z.array(receiverSchema).default([]),
  route: routeSchema.optional(),
  inhibit_rules: z.array(inhibitRuleSchema).default([]),
  escalation: escalationSchema.default(escalationSchema.parse({})),
  // issue 9: an incident lists at most this many alerts (API and notifications); the rest are
  // counted (alertsTotal, truncatedAlerts), so a storm of 100k alerts stays one small page.
  max_alerts: z.number().int().min(1).max(10_000).default(100),
});
export type NotifyConfig = z.output<typeof notifyConfigSchema>;
export type InhibitRuleConfig = NotifyConfig['inhibit_rules'][number];
export type EscalationConfig = NotifyConfig['escalation'];
