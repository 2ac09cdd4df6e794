import { integrationName, type Notifier } from '../notify/notifier';
import type { Incident } from './incident';
import type { Route, RouteTarget } from './route-tree';

export type FlushDecision =
  | { readonly send: false }
  | { readonly send: true; readonly transition: 'trigger' | 'repeat'; readonly seq?: number; readonly reason: 'first notification' | 'alerts changed' | 'repeat interval elapsed' };

/**
 * Alertmanager's dedup stage, as a pure decision with a reason: the first flush triggers; later
 * flushes re-notify only when the set of firing alerts changed (group_interval) or repeat_interval
 * has passed. An acknowledged incident is not repeated (someone is on it; PagerDuty agrees).
 */
export function decideFlush(inc: Incident, unmutedFingerprints: readonly string[], route: Route, nowMs: number): FlushDecision {
  const d = inc.dispatch;
  if (!d.triggerSent) return { send: true, transition: 'trigger', reason: 'first notification' };
  if (inc.status !== 'triggered') return { send: false };
  const before = new Set(d.notifiedAlerts);
  if (unmutedFingerprints.some((f) => !before.has(f))) return { send: true, transition: 'repeat', seq: d.repeatSeq + 1, reason: 'alerts changed' };
  if (d.lastNotifiedAtMs !== undefined && nowMs - d.lastNotifiedAtMs >= route.repeatIntervalMs) {
    return { send: true, transition: 'repeat', seq: d.repeatSeq + 1, reason: 'repeat interval elapsed' };
  }
  return { send: false };
}

/** The notifiers a route target reaches. A receiver named in config but without channels reaches none. */
export function notifiersFor(target: RouteTarget, notifiers: readonly Notifier[]): Notifier[] {
  if (target.receiver !== undefined) return notifiers.filter((n) => n.receiver === target.receiver);
  if (target.channels) return notifiers.filter((n) => target.channels?.includes(n.channel));
  return [];
}

export function notifiersOfReceivers(receivers: readonly string[], notifiers: readonly Notifier[]): Notifier[] {
  return notifiers.filter((n) => receivers.includes(n.receiver));
}

/** "oncall/pagerduty", "oncall/webhook1" (a receiver's second webhook config). */
export function recipientId(n: Pick<Notifier, 'receiver' | 'channel' | 'index'>): string {
  return `${n.receiver}/${integrationName(n)}`;
}
