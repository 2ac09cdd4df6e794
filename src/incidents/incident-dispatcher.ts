import type { NotifyConfig } from '../config/notify-schema';
import { integrationName, type Notifier, type Transition } from '../notify/notifier';
import { defaultRoute } from './default-route';
import type { DeliveryQueue } from './delivery-queue';
import { decideFlush, notifiersFor, notifiersOfReceivers, recipientId } from './dispatch-decision';
import { EscalationChains } from './escalation-chain';
import { firingAlerts, type Incident, type IncidentAlert } from './incident';
import type { IncidentMetrics } from './incident-metrics';
import type { IncidentStore } from './incident-store';
import { Inhibitor } from './inhibitor';
import { muteAlerts, type MaintenanceMuter, type MuteResult } from './mute';
import { buildNotification } from './notification-builder';
import { compileRoute, type Route } from './route-tree';
import type { SilenceStore } from './silence-store';

export interface IncidentDispatcherOptions {
  notify: NotifyConfig;
  notifiers: readonly Notifier[];
  store: IncidentStore;
  queue: DeliveryQueue;
  silences: SilenceStore;
  metrics: IncidentMetrics;
  clock: () => number;
  /** Every firing alert of every open incident (inhibition sources). */
  firing: () => IncidentAlert[];
  audit: (actor: string, action: string, inc: Incident, details: Record<string, unknown>) => void;
  /** Maintenance windows mute matching alerts (issue 13 §3). */
  maintenance?: MaintenanceMuter;
}

/**
 * Decides what an incident's next notification is and queues it: Alertmanager's pipeline
 * inhibit -> silence -> dedup (group_wait / group_interval / repeat_interval) -> queue, plus
 * escalation of unacknowledged P0s. Mutates the incident it is given; the caller saves it.
 */
export class IncidentDispatcher {
  readonly root: Route;
  readonly chains: EscalationChains;
  readonly #o: IncidentDispatcherOptions;
  readonly #routes = new Map<string, Route>();
  readonly #inhibitor: Inhibitor;

  constructor(opts: IncidentDispatcherOptions) {
    this.#o = opts;
    this.root = opts.notify.route ? compileRoute(opts.notify.route) : defaultRoute();
    indexRoutes(this.root, this.#routes);
    this.#inhibitor = new Inhibitor(opts.notify.inhibit_rules);
    this.chains = new EscalationChains(opts.notify.escalation);
  }

  routeOf(inc: Incident): Route {
    return this.#routes.get(inc.routeId) ?? this.root;
  }

  mute(inc: Incident): MuteResult {
    return muteAlerts(firingAlerts(inc), this.#o.firing(), this.#o.silences, this.#inhibitor, this.#o.maintenance);
  }

  /** True when a muted incident's silence or inhibition has ended (it should flush now). */
  unmutedSince(inc: Incident): boolean {
    return inc.dispatch.mutedBy !== undefined && this.mute(inc).reason === undefined;
  }

  async flush(inc: Incident, now: number): Promise<void> {
    if (inc.status === 'resolved') return;
    const route = this.routeOf(inc);
    inc.dispatch.nextFlushAtMs = now + route.groupIntervalMs;
    const mute = this.mute(inc);
    if (mute.notify.length === 0) {
      if (inc.dispatch.mutedBy !== mute.reason) {
        inc.dispatch.mutedBy = mute.reason;
        await this.#o.store.appendTimeline(inc.id, { atMs: now, kind: 'muted', message: `${mute.reason ?? 'muted'}: not notified` });
        this.#o.metrics.muted(mute.kind ?? 'silenced');
      }
      return;
    }
    if (inc.dispatch.mutedBy !== undefined) {
      await this.#o.store.appendTimeline(inc.id, { atMs: now, kind: 'unmuted', message: `no longer muted (${inc.dispatch.mutedBy} ended)` });
      inc.dispatch.mutedBy = undefined;
    }
    const decision = decideFlush(inc, mute.notify.map((a) => a.fingerprint), route, now);
    if (!decision.send) return;
    const targets = notifiersFor(route.target, this.#o.notifiers);
    if (targets.length === 0 && decision.transition === 'trigger' && !inc.dispatch.triggerSent) {
      // The routing decision, visible in the timeline: this route pages nobody (spec §11.3: P3 is dashboard only).
      const receiver = route.target.receiver ?? 'no receiver';
      await this.#o.store.appendTimeline(inc.id, { atMs: now, kind: 'routed', message: `routed to ${receiver}, which has no notifier: shown on the dashboard only`, receiver: route.target.receiver });
    }
    await this.notify(inc, targets, decision.transition, { seq: decision.seq, alerts: mute.notify });
    Object.assign(inc.dispatch, { triggerSent: true, repeatSeq: decision.seq ?? inc.dispatch.repeatSeq, notifiedAlerts: mute.notify.map((a) => a.fingerprint), lastNotifiedAtMs: now });
    if (decision.transition === 'trigger' && inc.severity === 'P0' && inc.status === 'triggered') inc.escalation.nextAtMs = now + this.chains.ackTimeoutMs;
  }

  /** Queues one durable job per notifier (job id = notification key, so a replay queues nothing new). */
  async notify(inc: Incident, targets: readonly Notifier[], transition: Transition, o: { seq?: number; alerts?: readonly IncidentAlert[]; escalationLevel?: number } = {}): Promise<void> {
    const queuedAtMs = Date.now();
    // A channel with no message for this transition (a webhook's acknowledgement) is not queued.
    const unique = dedupeNotifiers(targets).filter((t) => t.sends?.(transition) ?? true);
    const recipients = new Set(inc.dispatch.recipients ?? []);
    for (const t of unique) {
      const notification = buildNotification(inc, { transition, seq: o.seq, receiver: t.receiver, channel: integrationName(t), alerts: o.alerts, escalationLevel: o.escalationLevel, maxAlerts: this.#o.notify.max_alerts });
      await this.#o.queue.enqueue({ notification, channel: t.channel, ...(t.index ? { index: t.index } : {}), queuedAtMs });
      recipients.add(recipientId(t));
    }
    inc.dispatch.recipients = [...recipients];
    if (unique.length > 0) {
      await this.#o.store.appendTimeline(inc.id, { atMs: this.#o.clock(), kind: 'queued', message: `${transition} queued for ${unique.map(recipientId).join(', ')}`, transition });
    }
  }

  /** Acknowledgement and resolution go to everyone paged or holding a thread (fallbacks included). */
  async followUp(inc: Incident, transition: 'acknowledge' | 'resolve'): Promise<void> {
    if (!inc.dispatch.triggerSent) return; // nobody was told it started (Alertmanager: no lone "resolved")
    const ids = new Set([...(inc.dispatch.recipients ?? []), ...(await this.#o.store.threads(inc.id))]);
    const targets = this.#o.notifiers.filter((n) => ids.has(recipientId(n)));
    await this.notify(inc, targets, transition, transition === 'resolve' ? { alerts: Object.values(inc.alerts) } : {});
  }

  /**
   * Reminds whoever was told about an acknowledged P0 that is still open (issue 13 ack_reminder):
   * Slack and email only, so PagerDuty's acknowledged incident is left as it is.
   */
  async remindAcknowledged(inc: Incident, now: number): Promise<void> {
    const seq = (inc.escalation.reminders ?? 0) + 1;
    const ids = new Set([...(inc.dispatch.recipients ?? []), ...(await this.#o.store.threads(inc.id))]);
    const targets = this.#o.notifiers.filter((n) => n.channel !== 'pagerduty' && ids.has(recipientId(n)));
    Object.assign(inc.escalation, { reminders: seq, lastReminderAtMs: now });
    const since = Math.round((now - (inc.acknowledgedAtMs ?? now)) / 60_000);
    await this.#o.store.appendTimeline(inc.id, { atMs: now, kind: 'escalated', message: `acknowledged by ${inc.acknowledgedBy ?? 'someone'} ${since} min ago and still open: reminder ${seq}` });
    await this.notify(inc, targets, 'remind', { seq });
    this.#o.audit('warden', 'incident.ack_reminder', inc, { reminder: seq, acknowledgedBy: inc.acknowledgedBy });
  }

  /** Re-pages an unacknowledged P0 and notifies the next level of its chain. */
  async escalateUnacked(inc: Incident, now: number): Promise<void> {
    const ackTimeoutMs = this.chains.ackTimeoutMs;
    if (inc.status !== 'triggered' || inc.dispatch.mutedBy !== undefined) {
      inc.escalation.nextAtMs = inc.status === 'triggered' ? now + ackTimeoutMs : undefined;
      return;
    }
    const level = inc.escalation.level + 1;
    const chain = this.chains.receiversAt(level, inc.labels);
    const targets = [...notifiersFor(this.routeOf(inc).target, this.#o.notifiers), ...notifiersOfReceivers(chain.receivers, this.#o.notifiers)];
    inc.escalation = { level, nextAtMs: now + ackTimeoutMs };
    const to = chain.receivers.length > 0 ? ` and notified level ${level} of chain ${chain.chain} (${chain.receivers.join(', ')})` : '';
    const what = targets.length > 0 ? `re-paged${to}` : 'no receiver is configured to page';
    await this.#o.store.appendTimeline(inc.id, { atMs: now, kind: 'escalated', message: `not acknowledged within ${ackTimeoutMs / 1000} s: ${what}` });
    await this.notify(inc, targets, 'escalate', { seq: level, escalationLevel: level });
    this.#o.audit('warden', 'incident.escalate', inc, { level, receivers: chain.receivers });
  }
}

function indexRoutes(route: Route, into: Map<string, Route>): void {
  into.set(route.id, route);
  for (const child of route.routes) indexRoutes(child, into);
}

function dedupeNotifiers(list: readonly Notifier[]): Notifier[] {
  const seen = new Set<string>();
  return list.filter((n) => {
    const id = recipientId(n);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
