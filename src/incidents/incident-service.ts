import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NotifyConfig } from '../config/notify-schema';
import { RequestError, errorMessage } from '../errors';
import type { Notifier, Transition } from '../notify/notifier';
import type { AlertTransition } from '../rules/alert';
import { defaultRoute } from './default-route';
import { DeliveryQueue } from './delivery-queue';
import { DeliveryWorker, type Delivered } from './delivery-worker';
import { decideFlush, notifiersFor, notifiersOfReceivers, recipientId } from './dispatch-decision';
import { EscalationChains } from './escalation-chain';
import { firingAlerts, type Incident, type IncidentAlert, type IncidentStatus, type Severity, type TimelineEntry } from './incident';
import { addFiringAlert, newIncident, resolveAlert, toIncidentAlert } from './incident-lifecycle';
import { IncidentMetrics } from './incident-metrics';
import { IncidentStore } from './incident-store';
import { Inhibitor } from './inhibitor';
import { muteAlerts } from './mute';
import { buildNotification } from './notification-builder';
import { compileRoute, groupKeyOf, groupLabels, matchRoutes, type Route } from './route-tree';
import { SilenceStore } from './silence-store';
import { createHash } from 'node:crypto';

/** The audit log's append (src/audit/audit-log.ts), structurally, so incidents do not import it. */
export interface AuditSink {
  append(entry: { actor: string; action: string; target: string; details?: Record<string, unknown> }): Promise<unknown>;
}

/** What remediation hands over when it gives up (src/remediate/escalator.ts's Escalator). */
export interface EscalationRequest {
  key: string;
  summary: string;
  labels: Record<string, string>;
  details: Record<string, unknown>;
}

export interface IncidentServiceOptions {
  redis: Redis;
  /** Redis key prefix (config redis.prefix). */
  prefix: string;
  notify: NotifyConfig;
  /** One per receiver and channel, normally GuardedNotifiers (createNotifiers). */
  notifiers: readonly Notifier[];
  log: Logger;
  registry: Registry;
  clock?: () => number;
  audit?: AuditSink;
  /** How often timers (group_wait/interval, silence expiry, escalation) are checked. @defaultValue 1000 */
  tickIntervalMs?: number;
  /** Run the delivery worker in this process. @defaultValue true */
  runWorker?: boolean;
  workerConcurrency?: number;
  lockDurationMs?: number;
  random?: () => number;
  breakerRecheckMaxMs?: number;
  /** Called after each delivery (benchmarks: page latency). */
  onDelivered?: (d: Delivered) => void;
}

/**
 * Alerts -> incidents -> notifications (issue 5). One writer of incident state: every change runs
 * through one promise chain, so an alert, a tick and an acknowledgement never interleave.
 * Pipeline per flush, as Alertmanager's: inhibit -> silence -> dedup (group_wait/interval,
 * repeat_interval) -> durable delivery jobs (retry, breaker, record).
 */
export class IncidentService {
  readonly store: IncidentStore;
  readonly silences: SilenceStore;
  readonly queue: DeliveryQueue;
  readonly #o: IncidentServiceOptions;
  readonly #clock: () => number;
  readonly #root: Route;
  readonly #routes = new Map<string, Route>();
  readonly #inhibitor: Inhibitor;
  readonly #chains: EscalationChains;
  readonly #metrics: IncidentMetrics;
  readonly #open = new Map<string, Incident>();
  readonly #byGroup = new Map<string, string>();
  #worker: DeliveryWorker | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(opts: IncidentServiceOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.store = new IncidentStore(opts.redis, opts.prefix);
    this.silences = new SilenceStore(opts.redis, opts.prefix, this.#clock);
    this.queue = new DeliveryQueue(opts.redis, opts.prefix);
    this.#root = opts.notify.route ? compileRoute(opts.notify.route) : defaultRoute();
    indexRoutes(this.#root, this.#routes);
    this.#inhibitor = new Inhibitor(opts.notify.inhibit_rules);
    this.#chains = new EscalationChains(opts.notify.escalation);
    this.#metrics = new IncidentMetrics(opts.registry, { openIncidents: () => this.#open.values(), activeSilences: () => this.silences.activeCount() });
  }

  /** Reloads open incidents and silences (they survive restarts), starts the worker and the timers. */
  async start(): Promise<void> {
    await this.silences.load();
    for (const inc of await this.store.loadOpen()) this.#remember(inc);
    if (this.#o.runWorker ?? true) {
      this.#worker = new DeliveryWorker({
        redis: this.#o.redis, prefix: this.#o.prefix, notifiers: this.#o.notifiers, store: this.store, queue: this.queue, log: this.#o.log, clock: this.#clock,
        random: this.#o.random, breakerRecheckMaxMs: this.#o.breakerRecheckMaxMs, concurrency: this.#o.workerConcurrency, lockDurationMs: this.#o.lockDurationMs,
        onDelivered: (d) => {
          this.#metrics.delivered(d.channel, d.latencyMs);
          this.#o.onDelivered?.(d);
        },
      });
      this.#worker.start();
    }
    this.#ticker = setInterval(() => void this.tick().catch((err: unknown) => this.#o.log.error({ err }, 'incident tick failed')), this.#o.tickIntervalMs ?? 1000);
    this.#ticker.unref();
    await this.tick();
  }

  async stop(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
    await this.#chain.catch(() => undefined);
    await this.#worker?.stop();
    this.#worker = undefined;
    await this.queue.close();
  }

  /** Bus listener body: never throws (errors are logged), hands work to the serial chain. */
  onAlert(t: AlertTransition): Promise<void> {
    return this.#serial(() => this.#onAlert(t)).catch((err: unknown) => this.#o.log.error({ err, alert: t.alert.name }, 'incident update failed'));
  }

  /** Runs due timers: group flushes, silence expiry, escalations. */
  tick(): Promise<void> {
    return this.#serial(() => this.#tick());
  }

  /** Escalator: opens a P0 incident for a remediation that gave up, once per key. */
  escalate(req: EscalationRequest): Promise<void> {
    return this.#serial(() => this.#escalate(req));
  }

  acknowledge(id: string, by: string, reason: string): Promise<Incident> {
    return this.#serial(() => this.#acknowledge(id, by, reason));
  }

  resolve(id: string, by: string, reason: string): Promise<Incident> {
    return this.#serial(async () => {
      const inc = this.#mustBeOpen(id);
      await this.#resolve(inc, this.#clock(), { actor: by, message: `resolved by ${by}: ${reason}` });
      return inc;
    });
  }

  async get(id: string): Promise<(Incident & { timeline: TimelineEntry[] }) | undefined> {
    const inc = this.#open.get(id) ?? (await this.store.get(id));
    return inc && { ...inc, timeline: await this.store.timeline(id) };
  }

  list(filter: { status?: IncidentStatus; severity?: Severity; limit?: number }): Promise<Incident[]> {
    return this.store.list({ ...filter, limit: filter.limit ?? 100 });
  }

  openIncidents(): Incident[] {
    return [...this.#open.values()];
  }

  /** Silences change what is muted: re-check open incidents at once (an ended silence notifies now). */
  async silencesChanged(actor: string, action: string, target: string, details: Record<string, unknown>): Promise<void> {
    await this.#auditEntry({ actor, action, target, details });
    await this.tick();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #onAlert(t: AlertTransition): Promise<void> {
    const now = this.#clock();
    if (t.to === 'firing') {
      for (const route of matchRoutes(this.#root, t.alert.labels)) await this.#addAlert(route, toIncidentAlert(t.alert), 'alert', now);
    } else if (t.from === 'firing') {
      for (const inc of [...this.#open.values()]) {
        if (!resolveAlert(inc, t.alert.fingerprint, now)) continue;
        await this.store.appendTimeline(inc.id, { atMs: now, kind: 'alert', message: `alert ${t.alert.name} resolved` });
        if (firingAlerts(inc).length === 0) await this.#resolve(inc, now, { actor: 'warden', message: 'all alerts resolved' });
        else await this.store.save(inc);
      }
    }
  }

  async #addAlert(route: Route, alert: IncidentAlert, source: Incident['source'], now: number, details?: Record<string, unknown>, groupKey = groupKeyOf(route, alert.labels)): Promise<Incident> {
    let inc = this.#openByGroup(groupKey);
    const created = !inc;
    if (!inc) {
      inc = newIncident({ groupKey, routeId: route.id, labels: groupLabels(route, alert.labels), nowMs: now, source, details });
      inc.dispatch.nextFlushAtMs = now + route.groupWaitMs;
    }
    if (!addFiringAlert(inc, alert)) return inc;
    if (created) {
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'triggered', message: `incident opened (${inc.severity}) by ${alert.name}` });
      this.#audit('warden', 'incident.triggered', inc, { severity: inc.severity, groupKey });
    } else {
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'alert', message: `alert ${alert.name} firing` });
    }
    this.#remember(inc);
    await this.store.save(inc);
    if ((inc.dispatch.nextFlushAtMs ?? Infinity) <= now) await this.#flush(inc, now);
    return inc;
  }

  async #tick(): Promise<void> {
    const now = this.#clock();
    for (const inc of [...this.#open.values()]) {
      const due = (inc.dispatch.nextFlushAtMs ?? Infinity) <= now;
      // A muted incident is re-checked every tick, so it notifies as soon as its silence ends.
      const unmuted = inc.dispatch.mutedBy !== undefined && muteAlerts(firingAlerts(inc), this.#firingIndex(), this.silences, this.#inhibitor).reason === undefined;
      if (due || unmuted) await this.#flush(inc, now);
      if (inc.escalation.nextAtMs !== undefined && inc.escalation.nextAtMs <= now) await this.#escalateUnacked(inc, now);
    }
  }

  async #flush(inc: Incident, now: number): Promise<void> {
    if (inc.status === 'resolved') return;
    const route = this.#routeOf(inc);
    inc.dispatch.nextFlushAtMs = now + route.groupIntervalMs;
    const mute = muteAlerts(firingAlerts(inc), this.#firingIndex(), this.silences, this.#inhibitor);
    if (mute.notify.length === 0) {
      if (inc.dispatch.mutedBy !== mute.reason) {
        inc.dispatch.mutedBy = mute.reason;
        await this.store.appendTimeline(inc.id, { atMs: now, kind: 'muted', message: `${mute.reason ?? 'muted'}: not notified` });
        this.#metrics.muted(mute.kind ?? 'silenced');
      }
      await this.store.save(inc);
      return;
    }
    if (inc.dispatch.mutedBy !== undefined) {
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'unmuted', message: `no longer muted (${inc.dispatch.mutedBy} ended)` });
      inc.dispatch.mutedBy = undefined;
    }
    const decision = decideFlush(inc, mute.notify.map((a) => a.fingerprint), route, now);
    if (decision.send) {
      await this.#notify(inc, notifiersFor(route.target, this.#o.notifiers), decision.transition, { seq: decision.seq, alerts: mute.notify });
      inc.dispatch.triggerSent = true;
      inc.dispatch.repeatSeq = decision.seq ?? inc.dispatch.repeatSeq;
      inc.dispatch.notifiedAlerts = mute.notify.map((a) => a.fingerprint);
      inc.dispatch.lastNotifiedAtMs = now;
      if (decision.transition === 'trigger' && inc.severity === 'P0' && inc.status === 'triggered') inc.escalation.nextAtMs = now + this.#chains.ackTimeoutMs;
    }
    await this.store.save(inc);
  }

  /** Queues one durable job per notifier (job id = notification key, so a replay queues nothing new). */
  async #notify(inc: Incident, targets: readonly Notifier[], transition: Transition, o: { seq?: number; alerts?: readonly IncidentAlert[]; escalationLevel?: number } = {}): Promise<void> {
    const queuedAtMs = Date.now();
    const recipients = new Set(inc.dispatch.recipients ?? []);
    for (const t of dedupeNotifiers(targets)) {
      const notification = buildNotification(inc, { transition, seq: o.seq, receiver: t.receiver, channel: t.channel, alerts: o.alerts, escalationLevel: o.escalationLevel });
      await this.queue.enqueue({ notification, channel: t.channel, queuedAtMs });
      recipients.add(recipientId(t));
    }
    inc.dispatch.recipients = [...recipients];
    if (targets.length > 0) {
      await this.store.appendTimeline(inc.id, { atMs: this.#clock(), kind: 'queued', message: `${transition} queued for ${[...new Set(targets.map(recipientId))].join(', ')}`, transition });
    }
  }

  /** Everyone who was paged or has a thread (fallbacks included) hears about acknowledgement and resolution. */
  async #followUpTargets(inc: Incident): Promise<Notifier[]> {
    const ids = new Set([...(inc.dispatch.recipients ?? []), ...(await this.store.threads(inc.id)).map(recipientId)]);
    return this.#o.notifiers.filter((n) => ids.has(recipientId(n)));
  }

  async #acknowledge(id: string, by: string, reason: string): Promise<Incident> {
    const inc = this.#mustBeOpen(id);
    if (inc.status === 'acknowledged') return inc; // PagerDuty: acknowledging twice changes nothing
    const now = this.#clock();
    Object.assign(inc, { status: 'acknowledged', acknowledgedAtMs: now, acknowledgedBy: by, ackReason: reason });
    inc.escalation.nextAtMs = undefined;
    await this.store.appendTimeline(inc.id, { atMs: now, kind: 'acknowledged', message: `acknowledged by ${by}: ${reason}`, actor: by });
    if (inc.dispatch.triggerSent) await this.#notify(inc, await this.#followUpTargets(inc), 'acknowledge');
    await this.store.save(inc);
    this.#audit(by, 'incident.acknowledge', inc, { reason });
    return inc;
  }

  async #resolve(inc: Incident, now: number, why: { actor: string; message: string }): Promise<void> {
    inc.status = 'resolved';
    inc.resolvedAtMs = now;
    inc.dispatch.nextFlushAtMs = undefined;
    inc.escalation.nextAtMs = undefined;
    await this.store.appendTimeline(inc.id, { atMs: now, kind: 'resolved', message: why.message, actor: why.actor });
    if (inc.dispatch.triggerSent) await this.#notify(inc, await this.#followUpTargets(inc), 'resolve', { alerts: Object.values(inc.alerts) });
    await this.store.save(inc);
    this.#forget(inc);
    this.#metrics.resolved(inc);
    this.#audit(why.actor, 'incident.resolve', inc, { message: why.message });
  }

  async #escalateUnacked(inc: Incident, now: number): Promise<void> {
    if (inc.status !== 'triggered' || inc.dispatch.mutedBy !== undefined) {
      inc.escalation.nextAtMs = inc.status === 'triggered' ? now + this.#chains.ackTimeoutMs : undefined;
      await this.store.save(inc);
      return;
    }
    const level = inc.escalation.level + 1;
    const chain = this.#chains.receiversAt(level, inc.labels);
    const targets = [...notifiersFor(this.#routeOf(inc).target, this.#o.notifiers), ...notifiersOfReceivers(chain.receivers, this.#o.notifiers)];
    inc.escalation = { level, nextAtMs: now + this.#chains.ackTimeoutMs };
    const to = chain.receivers.length > 0 ? ` and notified level ${level} of chain ${chain.chain} (${chain.receivers.join(', ')})` : '';
    await this.store.appendTimeline(inc.id, { atMs: now, kind: 'escalated', message: `not acknowledged within ${this.#chains.ackTimeoutMs / 1000} s: re-paged${to}` });
    await this.#notify(inc, targets, 'escalate', { seq: level, escalationLevel: level });
    await this.store.save(inc);
    this.#audit('warden', 'incident.escalate', inc, { level, receivers: chain.receivers });
  }

  async #escalate(req: EscalationRequest): Promise<void> {
    if (await this.store.incidentForEscalationKey(req.key)) return;
    const now = this.#clock();
    const labels = { alertname: 'RemediationEscalation', ...req.labels, severity: 'P0' };
    const alert: IncidentAlert = { fingerprint: createHash('sha256').update(`escalation:${req.key}`).digest('hex').slice(0, 16), name: labels.alertname, labels, annotations: { summary: req.summary }, state: 'firing', activeAtMs: now };
    const route = matchRoutes(this.#root, labels)[0] ?? this.#root;
    // Its own group: it resolves by hand (POST /v1/incidents/:id/resolve), not with an alert.
    const inc = await this.#addAlert(route, alert, 'escalation', now, req.details, `${route.id}{escalation=${JSON.stringify(req.key)}}`);
    await this.store.rememberEscalationKey(req.key, inc.id);
  }

  #mustBeOpen(id: string): Incident {
    const inc = this.#open.get(id);
    if (inc) return inc;
    throw new RequestError(409, 'not_open', `incident "${id}" is not open (unknown or already resolved)`);
  }

  #openByGroup(groupKey: string): Incident | undefined {
    const id = this.#byGroup.get(groupKey);
    return id === undefined ? undefined : this.#open.get(id);
  }

  #remember(inc: Incident): void {
    this.#open.set(inc.id, inc);
    this.#byGroup.set(inc.groupKey, inc.id);
  }

  #forget(inc: Incident): void {
    this.#open.delete(inc.id);
    if (this.#byGroup.get(inc.groupKey) === inc.id) this.#byGroup.delete(inc.groupKey);
  }

  #routeOf(inc: Incident): Route {
    return this.#routes.get(inc.routeId) ?? this.#root;
  }

  #firingIndex(): IncidentAlert[] {
    const byFp = new Map<string, IncidentAlert>();
    for (const inc of this.#open.values()) for (const a of firingAlerts(inc)) byFp.set(a.fingerprint, a);
    return [...byFp.values()];
  }

  #audit(actor: string, action: string, inc: Incident, details: Record<string, unknown>): void {
    void this.#auditEntry({ actor, action, target: `incident/${inc.id}`, details: { ...details, summary: inc.summary } });
  }

  async #auditEntry(entry: { actor: string; action: string; target: string; details: Record<string, unknown> }): Promise<void> {
    if (!this.#o.audit) return;
    try {
      await this.#o.audit.append(entry);
    } catch (err) {
      this.#o.log.error({ err: errorMessage(err), action: entry.action }, 'audit append failed');
    }
  }
}

function indexRoutes(route: Route, into: Map<string, Route>): void {
  into.set(route.id, route);
  for (const child of route.routes) indexRoutes(child, into);
}

function dedupeNotifiers(list: readonly Notifier[]): Notifier[] {
  const seen = new Set<string>();
  return list.filter((n) => !seen.has(recipientId(n)) && seen.add(recipientId(n)) !== undefined);
}
