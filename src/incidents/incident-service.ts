import { createHash } from 'node:crypto';
import { RequestError, TransientError } from '../errors';
import type { Alert, AlertTransition } from '../rules/alert';
import { trace } from '@opentelemetry/api';
import { incidentSpanName } from '../telemetry/trace-alerts';
import { contextFrom, injectTraceContext, inSpan } from '../telemetry/trace-context';
import { DeliveryQueue } from './delivery-queue';
import { DeliveryWorker } from './delivery-worker';
import { firingAlerts, type Incident, type IncidentAlert, type IncidentStatus, type Severity, type TimelineEntry } from './incident';
import { IncidentAudit, type AuditSink } from './incident-audit';
import { IncidentDispatcher } from './incident-dispatcher';
import { addFiringAlert, newIncident, resolveAlert, toIncidentAlert } from './incident-lifecycle';
import { IncidentMetrics } from './incident-metrics';
import { ackReminderDue } from './ack-reminder';
import { IncidentStore } from './incident-store';
import { groupKeyOf, groupLabels, matchRoutes, type Route } from './route-tree';
import type { IncidentServiceOptions } from './incident-service-options';
import { SilenceStore, type Silence, type SilenceBody } from './silence-store';
import { within } from '../runtime/within';
import type { JournalRecord } from '../runtime/outbox-journal';
import { WriteOutbox, type OutboxBatch } from '../runtime/write-outbox';
import { ALWAYS_LEADER, type LeaderGate } from '../cluster/leader-gate';

/** How long stop() lets in-flight incident updates finish; longer means Redis is not answering. */
const CHAIN_DRAIN_MS = 3_000;
/** What an update queued behind stop() rejects with (counted once, not logged per update). */
const STOPPING = new TransientError('incident service is stopping');
/** Transitions applied in one serial step (bounds the step stop() may have to wait for). */
const TRANSITION_BATCH = 500;
/**
 * Transitions kept for Redis: one per series of a storm's metric (limits.max_series_per_metric
 * defaults to 100k) plus room for an outage's flapping; beyond it the oldest are dropped, counted.
 */
const MAX_QUEUED_TRANSITIONS = 250_000;

/**
 * A P0 asked for by another stage (remediation's Escalator, matched structurally, so incidents
 * import nothing of remediate/): `key` is stable per problem and deduplicates repeats.
 */
export interface EscalationRequest {
  readonly key: string;
  readonly summary: string;
  readonly labels: Record<string, string>;
  readonly details: Record<string, unknown>;
}

export type { AuditSink, IncidentServiceOptions };

/**
 * Alerts -> incidents -> notifications (issue 5), and the Escalator remediation pages through.
 * One writer of incident state: every change runs through one promise chain, so an alert, a
 * tick and an acknowledgement never interleave. Incidents live in Redis and are reloaded on start.
 */
export class IncidentService {
  readonly store: IncidentStore;
  readonly silences: SilenceStore;
  readonly queue: DeliveryQueue;
  readonly #o: IncidentServiceOptions;
  readonly #clock: () => number;
  readonly #dispatcher: IncidentDispatcher;
  readonly #metrics: IncidentMetrics;
  readonly #auditLog: IncidentAudit;
  readonly #open = new Map<string, Incident>();
  readonly #byGroup = new Map<string, string>();
  #worker: DeliveryWorker | undefined;
  #ticker: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  /**
   * Alert transitions, in order, until the incident they make is in Redis. One that Redis was not
   * there for is re-driven once it answers, with the time it first arrived (issue 9): an outbox
   * rather than a reconcile against the engine, because an alert that fired and resolved during
   * the outage would leave nothing to reconcile, yet must still page.
   */
  readonly #alerts: WriteOutbox;
  readonly #transitions: OutboxBatch<{ t: AlertTransition; atMs: number }> = { kind: 'incident transitions', max: TRANSITION_BATCH, journaled: true, writeMany: (b) => this.#applyTransitions(b) };
  /** Set while a batch is being applied and after it failed: the next one first reloads from Redis. */
  #reloadBeforeNext = false;
  /** True while #applyTransitions runs: alerts joining an open incident are then collected in #joined. */
  #inBatch = false;
  readonly #joined = new Map<string, { inc: Incident; fingerprints: string[]; timeline: TimelineEntry[] }>();
  /** Set by stop(): updates still queued are dropped, not run (see stop). */
  #stopping = false;
  #dropped = 0;
  readonly #leader: LeaderGate;

  constructor(opts: IncidentServiceOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? Date.now;
    this.#leader = opts.leader ?? ALWAYS_LEADER;
    this.#auditLog = new IncidentAudit(opts.audit, opts.log);
    this.store = new IncidentStore(opts.redis, opts.prefix);
    this.silences = new SilenceStore(opts.redis, opts.prefix, this.#clock);
    this.queue = new DeliveryQueue(opts.redis, opts.prefix, opts.log);
    this.#alerts = new WriteOutbox({ name: 'incidents', log: opts.log, registry: opts.registry, maxDepth: MAX_QUEUED_TRANSITIONS, journal: opts.journal });
    this.#metrics = new IncidentMetrics(opts.registry, { openIncidents: () => this.#open.values(), activeSilences: () => this.silences.activeCount() });
    this.#dispatcher = new IncidentDispatcher({
      notify: opts.notify, notifiers: opts.notifiers, store: this.store, queue: this.queue, silences: this.silences, metrics: this.#metrics, clock: this.#clock,
      firing: () => this.#firingAlerts(),
      maintenance: opts.maintenance,
      audit: (actor, action, inc, details) => this.#auditLog.incident(actor, action, inc, details),
    });
  }

  /** Reloads open incidents and silences (they survive restarts), starts the worker and the timers. */
  async start(): Promise<void> {
    await this.silences.load();
    for (const inc of await this.store.loadOpen()) this.#remember(inc);
    if (this.#o.runWorker ?? true) {
      const o = this.#o;
      this.#worker = new DeliveryWorker({
        redis: o.redis, prefix: o.prefix, notifiers: o.notifiers, store: this.store, queue: this.queue, log: o.log, clock: this.#clock,
        random: o.random, breakerRecheckMaxMs: o.breakerRecheckMaxMs, concurrency: o.workerConcurrency, lockDurationMs: o.lockDurationMs,
        onDelivered: (d) => {
          this.#metrics.delivered(d.channel, d.latencyMs);
          o.onDelivered?.(d);
        },
      });
      this.#worker.start();
    }
    this.#ticker = setInterval(() => void this.tick().catch((err: unknown) => this.#o.log.error({ err }, 'incident tick failed')), this.#o.tickIntervalMs ?? 1000);
    this.#ticker.unref();
    await this.tick();
  }

  /** Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
    // The update running now finishes (unless Redis froze under it: the closes below force it);
    // those still queued behind it are dropped. A storm can queue 100k of them, and waiting for
    // them all is what kept SIGTERM from finishing. Nothing is lost: the rule engine's active
    // alerts are in Redis, and after the restart they fire again into their incidents (as after kill -9).
    this.#stopping = true;
    this.#alerts.close();
    if (!(await within(this.#chain.then(() => true), CHAIN_DRAIN_MS, false))) this.#o.log.warn({ limitMs: CHAIN_DRAIN_MS }, 'incident updates still waiting on Redis at shutdown');
    if (this.#dropped > 0) this.#o.log.warn({ dropped: this.#dropped }, 'incident updates queued at shutdown were dropped; the restart replays them from the active alerts');
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.stop();
    await this.queue.close();
  }

  /**
   * The `alert` bus listener: never rejects (errors are logged). Resolves once the transition's
   * effect is in Redis; while Redis is unavailable it waits in the outbox and is retried.
   */
  onAlert(t: AlertTransition): Promise<void> {
    // A follower evaluates the same alerts but leaves their incidents to the leader (issue 12);
    // a follower that takes over re-drives what fires then (takeOver).
    if (!this.#leader.isLeader()) return Promise.resolve();
    return this.#alerts.enqueueItem(this.#transitions, { t, atMs: this.#clock() }).catch((err: unknown) => {
      if (err !== STOPPING && !this.#stopping) this.#o.log.error({ err, alert: t.alert.name }, 'incident update failed');
    });
  }

  /**
   * One serial step for a run of queued transitions (issue 9: a storm of alerts joining one
   * incident costs one MULTI per batch, not two round trips per alert). After a failed attempt
   * the retry starts from what Redis holds, so a re-driven transition opens no second incident.
   */
  #applyTransitions(batch: ReadonlyArray<{ t: AlertTransition; atMs: number }>): Promise<void> {
    return this.#serial(async () => {
      // Lost the lease while these waited: the new leader re-drives them from its own alerts.
      if (!this.#leader.isLeader()) return;
      if (this.#reloadBeforeNext) await this.#reloadOpen();
      this.#reloadBeforeNext = true;
      this.#joined.clear();
      this.#inBatch = true;
      try {
        for (const { t, atMs } of batch) {
          const span = incidentSpanName(t);
          const apply = () => this.#onAlert(t, atMs);
          await (span ? inSpan(span, { parent: contextFrom(t.traceContext), attributes: { 'warden.alert.name': t.alert.name, 'warden.alert.fingerprint': t.alert.fingerprint } }, apply) : apply());
        }
      } finally {
        this.#inBatch = false;
      }
      await this.#writeJoined();
      this.#reloadBeforeNext = false;
    });
  }

  /** Alerts that joined an open incident in this batch, written together (one MULTI per incident). */
  async #writeJoined(): Promise<void> {
    for (const [id, j] of this.#joined) {
      this.#joined.delete(id);
      await this.store.save(j.inc, j.fingerprints, j.timeline);
    }
  }

  /**
   * Transitions a previous run journaled and never got into Redis, queued ahead of this run's
   * with the time each first arrived. Call after start(): the open incidents are loaded, so one
   * that did reach Redis (its reply lost) is found and not opened twice.
   */
  replay(records: readonly JournalRecord[]): void {
    for (const r of records) {
      const item = r.data as { t?: AlertTransition; atMs?: number };
      if (r.kind !== this.#transitions.kind || !item.t || typeof item.atMs !== 'number') {
        this.#o.log.error({ kind: r.kind }, 'journaled incident write of an unknown shape: dropped');
        continue;
      }
      const t = item.t;
      void this.#alerts.enqueueItem(this.#transitions, { t, atMs: item.atMs }, { journal: true }).catch((err: unknown) => {
        if (err !== STOPPING && !this.#stopping) this.#o.log.error({ err, alert: t.alert.name }, 'replayed incident update failed');
      });
    }
  }

  /** Redis stopped answering: keep the waiting transitions in the journal too. */
  journalAll(): void {
    this.#alerts.journalAll();
  }

  /** Transitions waiting for Redis. */
  get pendingTransitions(): number {
    return this.#alerts.depth;
  }

  /** Redis answers again: re-drive the waiting transitions now. */
  retryNow(): void {
    this.#alerts.wake();
  }

  /** Runs due timers: group flushes, ended silences and inhibitions, escalations. */
  tick(): Promise<void> {
    // A follower's timers are the leader's to run; it reloads what the leader wrote, so its reads agree.
    return this.#serial(() => (this.#leader.isLeader() ? this.#tick() : this.#reloadOpen()));
  }

  /**
   * This replica just became leader (issue 12 §4): start from what Redis holds, open incidents for
   * alerts firing now that have none (an alert already in its incident changes nothing), and
   * resolve the alerts of open incidents that no longer fire.
   */
  takeOver(firing: readonly Alert[]): Promise<void> {
    return this.#serial(async () => {
      if (!this.#leader.isLeader()) return;
      await this.#reloadOpen();
      const now = this.#clock();
      for (const alert of firing) await this.#onAlert({ alert, from: 'pending', to: 'firing', atMs: now }, now);
      await this.#writeJoined();
      await this.#reconcile(new Set(firing.map((a) => a.fingerprint)), 'no longer firing at leader takeover');
    });
  }

  /**
   * After a restart the rule engine only reports alerts firing now: an alert that stopped while
   * Warden was down never sends its `firing -> inactive`. Call once after the first evaluation
   * with the fingerprints firing now; alerts of open incidents not among them are resolved.
   */
  reconcile(firingFingerprints: Iterable<string>, why = 'no longer firing after restart'): Promise<void> {
    const firing = new Set(firingFingerprints);
    return this.#serial(() => (this.#leader.isLeader() ? this.#reconcile(firing, why) : Promise.resolve()));
  }

  async #reconcile(firing: ReadonlySet<string>, why: string): Promise<void> {
    const now = this.#clock();
    for (const inc of [...this.#open.values()]) {
      if (inc.source !== 'alert') continue;
      const gone = firingAlerts(inc).filter((a) => !firing.has(a.fingerprint)).map((a) => a.fingerprint);
      for (const fp of gone) resolveAlert(inc, fp, now);
      if (gone.length === 0) continue;
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'alert', message: `${gone.length} alert(s) ${why}` });
      if (inc.alertCounts.firing === 0) await this.#resolve(inc, now, 'warden', `all alerts resolved (${why})`, gone);
      else await this.store.save(inc, gone);
    }
  }

  /** Escalator: a remediation that gave up opens a P0 incident, once per key (kept 24 h, spec §9.1). */
  escalate(req: EscalationRequest): Promise<void> {
    return this.#serial(() => inSpan('incident.escalate', { attributes: { 'warden.escalation.key': req.key } }, () => this.#escalate(req)));
  }

  /** Acknowledges (idempotent); `actor` is the authenticated principal, `by` who says they are on it. */
  acknowledge(id: string, o: { by: string; reason: string; actor?: string }): Promise<Incident> {
    return this.#serial(async () => {
      const inc = await this.#mustBeOpen(id);
      if (inc.status === 'acknowledged') return inc; // PagerDuty: acknowledging twice changes nothing
      const now = this.#clock();
      Object.assign(inc, { status: 'acknowledged', acknowledgedAtMs: now, acknowledgedBy: o.by, ackReason: o.reason });
      inc.escalation.nextAtMs = undefined;
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'acknowledged', message: `acknowledged by ${o.by}: ${o.reason}`, actor: o.actor ?? o.by });
      await this.#dispatcher.followUp(inc, 'acknowledge');
      await this.store.save(inc);
      this.#auditLog.incident(o.actor ?? o.by, 'incident.acknowledge', inc, { by: o.by, reason: o.reason });
      return inc;
    });
  }

  /**
   * Undoes an acknowledgement (PagerDuty's ack timeout, or someone handing it back): the incident
   * is triggered again and an unacknowledged P0 escalates again after ack_timeout. Idempotent.
   */
  unacknowledge(id: string, o: { by: string; reason: string; actor?: string }): Promise<Incident> {
    return this.#serial(async () => {
      const inc = await this.#mustBeOpen(id);
      if (inc.status !== 'acknowledged') return inc;
      const now = this.#clock();
      Object.assign(inc, { status: 'triggered', acknowledgedAtMs: undefined, acknowledgedBy: undefined, ackReason: undefined });
      if (inc.severity === 'P0') inc.escalation.nextAtMs = now + this.#dispatcher.chains.ackTimeoutMs;
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'alert', message: `unacknowledged by ${o.by}: ${o.reason}`, actor: o.actor ?? o.by });
      await this.store.save(inc);
      this.#auditLog.incident(o.actor ?? o.by, 'incident.unacknowledge', inc, { by: o.by, reason: o.reason });
      return inc;
    });
  }

  /** Resolves by hand (remediation escalations have no alert to resolve them). */
  resolve(id: string, o: { by: string; reason: string; actor?: string }): Promise<Incident> {
    return this.#serial(async () => {
      const inc = await this.#mustBeOpen(id);
      await this.#resolve(inc, this.#clock(), o.actor ?? o.by, `resolved by ${o.by}: ${o.reason}`);
      return inc;
    });
  }

  async get(id: string): Promise<(Incident & { timeline: TimelineEntry[] }) | undefined> {
    const inc = this.#open.get(id) ?? (await this.store.get(id));
    return inc && { ...inc, timeline: await this.store.timeline(id) };
  }

  /** Newest first; open incidents come from memory (all their alerts), resolved ones from Redis (a sample beyond notify.max_alerts). */
  async list(filter: { status?: IncidentStatus; severity?: Severity; limit?: number }): Promise<Incident[]> {
    const stored = await this.store.list({ ...filter, limit: filter.limit ?? 100, alertLimit: this.#o.notify.max_alerts });
    return stored.map((inc) => this.#open.get(inc.id) ?? inc);
  }

  openIncidents(): Incident[] {
    return [...this.#open.values()];
  }

  /** Creates or updates a silence (audited); matching incidents stop notifying at their next flush. */
  async createSilence(body: SilenceBody, actor: string): Promise<Silence> {
    const silence = await this.silences.upsert(body, actor);
    await this.#auditLog.entry({ actor, action: body.id ? 'silence.update' : 'silence.create', target: `silence/${silence.id}`, details: { matchers: silence.matchers, startsAt: silence.startsAt, endsAt: silence.endsAt, comment: silence.comment } });
    return silence;
  }

  /** Expires a silence now (audited); a still-firing incident it muted notifies at once. */
  async expireSilence(id: string, actor: string): Promise<Silence> {
    const silence = await this.silences.expire(id);
    await this.#auditLog.entry({ actor, action: 'silence.expire', target: `silence/${id}`, details: {} });
    await this.tick();
    return silence;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const step = () => {
      if (!this.#stopping) return fn();
      this.#dropped++;
      return Promise.reject(STOPPING);
    };
    const run = this.#chain.then(step, step);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #reloadOpen(): Promise<void> {
    const open = await this.store.loadOpen();
    this.#open.clear();
    this.#byGroup.clear();
    for (const inc of open) this.#remember(inc);
  }

  async #onAlert(t: AlertTransition, now: number): Promise<void> {
    if (t.to === 'firing') {
      for (const route of matchRoutes(this.#dispatcher.root, t.alert.labels)) await this.#addAlert(route, toIncidentAlert(t.alert), now);
      return;
    }
    if (t.from !== 'firing') return; // pending alerts are not incidents yet
    await this.#writeJoined();
    for (const inc of [...this.#open.values()]) {
      if (!resolveAlert(inc, t.alert.fingerprint, now)) continue;
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'alert', message: `alert ${t.alert.name} resolved` });
      if (inc.alertCounts.firing === 0) await this.#resolve(inc, now, 'warden', 'all alerts resolved', [t.alert.fingerprint]);
      else await this.store.save(inc, [t.alert.fingerprint]);
    }
  }

  async #addAlert(route: Route, alert: IncidentAlert, now: number, opened?: { source: Incident['source']; groupKey: string; details: Record<string, unknown> }): Promise<Incident> {
    const groupKey = opened?.groupKey ?? groupKeyOf(route, alert.labels);
    const existing = this.#openByGroup(groupKey);
    const inc = existing ?? (await this.#newIncident(route, alert, now, groupKey, opened));
    if (!existing) {
      inc.dispatch.nextFlushAtMs = now + route.groupWaitMs;
      const opener = injectTraceContext();
      if (opener) inc.dispatch.openerTrace = opener;
    }
    if (this.#inBatch && existing && (inc.dispatch.nextFlushAtMs ?? Infinity) > now) {
      // The storm path: written with the batch's other joiners (see #writeJoined).
      if (!addFiringAlert(inc, alert)) return inc;
      const j = this.#joined.get(inc.id) ?? { inc, fingerprints: [], timeline: [] };
      j.fingerprints.push(alert.fingerprint);
      j.timeline.push({ atMs: now, kind: 'alert', message: `alert ${alert.name} firing` });
      this.#joined.set(inc.id, j);
      return inc;
    }
    await this.#writeJoined();
    if (!addFiringAlert(inc, alert)) return inc;
    if (existing) {
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'alert', message: `alert ${alert.name} firing` });
    } else {
      await this.store.appendTimeline(inc.id, { atMs: now, kind: 'triggered', message: `incident opened (${inc.severity}) by ${alert.name}` });
    }
    this.#remember(inc);
    trace.getActiveSpan()?.setAttributes({ 'warden.incident.id': inc.id, 'warden.incident.severity': inc.severity, 'warden.incident.new': !existing });
    // Saved before anything is queued: a job never names an incident Redis does not know.
    await this.store.save(inc, [alert.fingerprint]);
    // Audited once saved: a trigger re-driven after a failed save is audited once, by the attempt that saved it.
    if (!existing) this.#auditLog.incident('warden', 'incident.trigger', inc, { severity: inc.severity, groupKey }, now);
    if ((inc.dispatch.nextFlushAtMs ?? Infinity) <= now) {
      // group_wait 0 (P0 by default) pages now, not at the next tick.
      await this.#flush(inc, now);
      await this.store.save(inc);
    }
    return inc;
  }

  /** Sends what is due; the opener's trace is continued by the first flush only (later ones stand alone). */
  async #flush(inc: Incident, now: number): Promise<void> {
    await this.#dispatcher.flush(inc, now);
    delete inc.dispatch.openerTrace;
  }

  async #newIncident(route: Route, alert: IncidentAlert, now: number, groupKey: string, opened?: { source: Incident['source']; details: Record<string, unknown> }): Promise<Incident> {
    // Ids come from group key and start time, the start agreed through Redis (issue 12 §3) so
    // every replica and every leader names one episode alike; a re-fire in the same millisecond
    // as the last start takes the next one.
    const agreed = this.#o.episodes ? await this.#o.episodes.agree('incident', groupKey, now) : now;
    for (let startMs = agreed; ; startMs++) {
      const inc = newIncident({ groupKey, routeId: route.id, labels: groupLabels(route, alert.labels), nowMs: startMs, source: opened?.source ?? 'alert', details: opened?.details });
      if (!(await this.store.exists(inc.id))) return inc;
    }
  }

  async #tick(): Promise<void> {
    await this.silences.refresh();
    const now = this.#clock();
    for (const inc of [...this.#open.values()]) {
      let changed = false;
      if ((inc.dispatch.nextFlushAtMs ?? Infinity) <= now || this.#dispatcher.unmutedSince(inc)) {
        const parent = inc.dispatch.openerTrace ? contextFrom(inc.dispatch.openerTrace) : undefined;
        await inSpan('incident.flush', { parent, attributes: { 'warden.incident.id': inc.id } }, () => this.#flush(inc, now));
        changed = true;
      }
      if (inc.escalation.nextAtMs !== undefined && inc.escalation.nextAtMs <= now) {
        await this.#dispatcher.escalateUnacked(inc, now);
        changed = true;
      }
      if (ackReminderDue(inc, now, this.#dispatcher.chains.ackReminderMs)) {
        await this.#dispatcher.remindAcknowledged(inc, now);
        changed = true;
      }
      if (changed) await this.store.save(inc);
    }
  }

  /** `changedAlerts`: alerts resolved with it, not yet saved. */
  async #resolve(inc: Incident, now: number, actor: string, message: string, changedAlerts: readonly string[] = []): Promise<void> {
    Object.assign(inc, { status: 'resolved', resolvedAtMs: now });
    inc.dispatch.nextFlushAtMs = undefined;
    inc.escalation.nextAtMs = undefined;
    await this.store.appendTimeline(inc.id, { atMs: now, kind: 'resolved', message, actor });
    await this.#dispatcher.followUp(inc, 'resolve');
    await this.store.save(inc, changedAlerts);
    this.#forget(inc);
    await this.#o.episodes?.end('incident', inc.groupKey);
    this.#metrics.resolved(inc);
    this.#auditLog.incident(actor, 'incident.resolve', inc, { message }, now);
  }

  async #escalate(req: EscalationRequest): Promise<void> {
    if (await this.store.incidentForEscalationKey(req.key)) return;
    const now = this.#clock();
    const labels = { alertname: 'RemediationEscalation', ...req.labels, severity: 'P0' };
    const fingerprint = createHash('sha256').update(`escalation:${req.key}`).digest('hex').slice(0, 16);
    const alert: IncidentAlert = { fingerprint, name: labels.alertname, labels, annotations: { summary: req.summary }, state: 'firing', activeAtMs: now };
    const route = matchRoutes(this.#dispatcher.root, labels)[0] ?? this.#dispatcher.root;
    // Its own group, through the same routing and delivery as alerts; resolved by hand.
    const inc = await this.#addAlert(route, alert, now, { source: 'escalation', groupKey: `${route.id}{escalation=${JSON.stringify(req.key)}}`, details: req.details });
    await this.store.rememberEscalationKey(req.key, inc.id);
  }

  async #mustBeOpen(id: string): Promise<Incident> {
    const inc = this.#open.get(id);
    if (inc) return inc;
    if (await this.store.exists(id)) throw new RequestError(409, 'already_resolved', `incident "${id}" is already resolved`);
    throw new RequestError(404, 'not_found', `no incident "${id}"`);
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

  #firingAlerts(): IncidentAlert[] {
    const byFingerprint = new Map<string, IncidentAlert>();
    for (const inc of this.#open.values()) for (const a of firingAlerts(inc)) byFingerprint.set(a.fingerprint, a);
    return [...byFingerprint.values()];
  }
}
