import type { DrillExpectation, DrillScenario } from './drill-scenarios';

/** What the drill heard on Warden's event bus during one run (times in ms since the epoch). */
export type DrillEvent =
  | { readonly kind: 'fault'; readonly atMs: number }
  | { readonly kind: 'cleared'; readonly atMs: number }
  /** The drill stopped watching (verdict plus linger, the observation window, or the timeout). */
  | { readonly kind: 'end'; readonly atMs: number }
  | { readonly kind: 'alert'; readonly atMs: number; readonly alert: string; readonly fingerprint: string; readonly component: string | undefined; readonly health: string | undefined; readonly to: string }
  | { readonly kind: 'health'; readonly atMs: number; readonly component: string | null; readonly to: string }
  | { readonly kind: 'audit'; readonly atMs: number; readonly action: string; readonly target: string; readonly details: Readonly<Record<string, unknown>> };

export interface DrillMark {
  /** ms after the fault. */
  readonly atMs: number;
  readonly what: 'fault' | 'alert' | 'remediation_started' | 'remediation_verified' | 'halted' | 'escalated' | 'page' | 'cleared' | 'green' | 'health' | 'end';
  readonly label: string;
  /** For `health` marks: the overall status from here on. */
  readonly status?: string;
}

export interface DrillRun {
  readonly scenario: string;
  readonly repeat: number;
  readonly component: string;
  readonly expect: DrillExpectation;
  readonly faultAt: string;
  /** Fault -> first alert firing (time to detect); null when nothing fired. */
  readonly detectMs: number | null;
  readonly firstAlert: string | null;
  readonly remediationStartedMs: number | null;
  readonly remediationVerifiedMs: number | null;
  /** Fault -> health Green again with no alert firing (time to recover); null when it was not. */
  readonly greenMs: number | null;
  /** The figure held to the objective (from the fault or the first alert, see the scenario). */
  readonly measuredMs: number | null;
  readonly objectiveMs: number;
  readonly objectiveSource: string;
  readonly objectiveFrom: 'fault' | 'alert';
  readonly pages: ReadonlyArray<{ readonly severity: string; readonly summary: string; readonly atMs: number }>;
  readonly actions: ReadonlyArray<{ readonly action: string; readonly target: string; readonly atMs: number }>;
  /** Anything done twice for one fault (a second restart, a second page for the same thing). */
  readonly doneTwice: readonly string[];
  readonly timeline: readonly DrillMark[];
  readonly passed: boolean;
  readonly reasons: readonly string[];
  /** Issue 14's tighter detect/recover targets, where the scenario has them. */
  readonly targetMet: boolean | null;
}

interface Replay {
  firstAlert?: { atMs: number; name: string };
  startedAtMs?: number;
  verifiedAtMs?: number;
  haltedAtMs?: number;
  escalatedAtMs?: number;
  greenAtMs?: number;
  clearedAtMs?: number;
  redAlert: boolean;
  /** Names of every alert that fired. */
  fired: Set<string>;
  pages: Array<{ severity: string; summary: string; atMs: number }>;
  actions: Array<{ action: string; target: string; atMs: number; rule: string }>;
  marks: DrillMark[];
}

/** Pure: the events of one run -> the figures, the verdict and its reasons. */
export function summarizeRun(scenario: DrillScenario, repeat: number, component: string, events: readonly DrillEvent[]): DrillRun {
  const fault = events.find((e) => e.kind === 'fault');
  if (!fault) throw new Error('a drill run without a fault event');
  const r = replay(events.filter((e) => e.atMs >= fault.atMs), fault.atMs);
  const rel = (atMs: number | undefined) => (atMs === undefined ? null : atMs - fault.atMs);
  const detectMs = rel(r.firstAlert?.atMs);
  const greenMs = rel(r.greenAtMs);
  const measuredAtMs = measuredAt(scenario.expect, r);
  const origin = scenario.objective.from === 'alert' ? r.firstAlert?.atMs : fault.atMs;
  const measuredMs = measuredAtMs === undefined || origin === undefined ? null : measuredAtMs - origin;
  const doneTwice = twice(r);
  const reasons = verdictReasons(scenario, r, measuredMs, doneTwice);
  const target = scenario.target;
  return {
    scenario: scenario.name, repeat, component, expect: scenario.expect, faultAt: new Date(fault.atMs).toISOString(),
    detectMs, firstAlert: r.firstAlert?.name ?? null, remediationStartedMs: rel(r.startedAtMs), remediationVerifiedMs: rel(r.verifiedAtMs),
    greenMs, measuredMs, objectiveMs: scenario.objective.objectiveMs, objectiveSource: scenario.objective.source, objectiveFrom: scenario.objective.from,
    pages: r.pages.map((p) => ({ ...p, atMs: p.atMs - fault.atMs })),
    actions: r.actions.map((a) => ({ action: a.action, target: a.target, atMs: a.atMs - fault.atMs })),
    doneTwice, timeline: r.marks, passed: reasons.length === 0, reasons,
    targetMet: target ? detectMs !== null && greenMs !== null && detectMs <= target.detectMs && greenMs <= target.recoverMs : null,
  };
}

/** A run that could not take place (the exchange never Green, the fault hooks refused): a miss. */
export function unrunnableRun(scenario: DrillScenario, repeat: number, component: string, atMs: number, why: string): DrillRun {
  return {
    scenario: scenario.name, repeat, component, expect: scenario.expect, faultAt: new Date(atMs).toISOString(),
    detectMs: null, firstAlert: null, remediationStartedMs: null, remediationVerifiedMs: null, greenMs: null, measuredMs: null,
    objectiveMs: scenario.objective.objectiveMs, objectiveSource: scenario.objective.source, objectiveFrom: scenario.objective.from,
    pages: [], actions: [], doneTwice: [], timeline: [], passed: false, reasons: [`not run: ${why}`], targetMet: scenario.target ? false : null,
  };
}

function measuredAt(expect: DrillExpectation, r: Replay): number | undefined {
  if (expect === 'recover' || expect === 'heal') return r.greenAtMs;
  if (expect === 'contain') return r.haltedAtMs !== undefined && r.pages.some((p) => p.severity === 'P0') ? Math.max(r.haltedAtMs, ...r.pages.filter((p) => p.severity === 'P0').map((p) => p.atMs)) : undefined;
  if (expect === 'escalate') return r.escalatedAtMs;
  return undefined;
}

function replay(events: readonly DrillEvent[], faultAtMs: number): Replay {
  const r: Replay = { redAlert: false, fired: new Set(), pages: [], actions: [], marks: [] };
  const firing = new Set<string>();
  let overall = 'green';
  const mark = (atMs: number, what: DrillMark['what'], label: string, status?: string) => r.marks.push({ atMs: atMs - faultAtMs, what, label, ...(status ? { status } : {}) });
  for (const e of events) {
    if (e.kind === 'fault') mark(e.atMs, 'fault', 'fault injected');
    else if (e.kind === 'end') mark(e.atMs, 'end', 'drill stopped watching');
    else if (e.kind === 'cleared') {
      r.clearedAtMs ??= e.atMs;
      mark(e.atMs, 'cleared', 'fault cleared by the drill');
    } else if (e.kind === 'alert') {
      if (e.to === 'firing') {
        firing.add(e.fingerprint);
        r.fired.add(e.alert);
        if (e.health === 'red') r.redAlert = true;
        if (!r.firstAlert) {
          r.firstAlert = { atMs: e.atMs, name: e.alert };
          mark(e.atMs, 'alert', `${e.alert} firing`);
        }
      } else firing.delete(e.fingerprint);
    } else if (e.kind === 'health') {
      if (e.component !== null) continue;
      overall = e.to;
      mark(e.atMs, 'health', `overall ${e.to}`, e.to);
    } else auditStep(r, e, mark);
    if (r.firstAlert && r.greenAtMs === undefined && firing.size === 0 && overall === 'green' && e.atMs >= r.firstAlert.atMs && e.kind !== 'fault') {
      r.greenAtMs = e.atMs;
      mark(e.atMs, 'green', 'Green again');
    }
  }
  return r;
}

function auditStep(r: Replay, e: Extract<DrillEvent, { kind: 'audit' }>, mark: (atMs: number, what: DrillMark['what'], label: string) => void): void {
  const d = e.details;
  const action = typeof d.action === 'string' ? d.action : '';
  if (e.action === 'remediation.attempt' && r.startedAtMs === undefined) {
    r.startedAtMs = e.atMs;
    mark(e.atMs, 'remediation_started', `${action} ${e.target} started`);
  } else if (e.action === 'remediation.success') {
    r.actions.push({ action, target: e.target, atMs: e.atMs, rule: String(d.rule ?? '') });
  } else if (e.action === 'trading.halted' && r.haltedAtMs === undefined) {
    r.haltedAtMs = e.atMs;
    mark(e.atMs, 'halted', 'trading halted');
  } else if (e.action === 'remediation.verified' && r.verifiedAtMs === undefined) {
    r.verifiedAtMs = e.atMs;
    mark(e.atMs, 'remediation_verified', `${action} verified`);
  } else if (e.action === 'remediation.escalated' && r.escalatedAtMs === undefined) {
    r.escalatedAtMs = e.atMs;
    mark(e.atMs, 'escalated', `escalated: ${String(d.reason ?? '')}`);
  } else if (e.action === 'incident.trigger') {
    const severity = String(d.severity ?? '');
    const summary = String(d.summary ?? e.target);
    r.pages.push({ severity, summary, atMs: e.atMs });
    mark(e.atMs, 'page', `${severity} ${summary}`);
  }
}

function twice(r: Replay): string[] {
  const out: string[] = [];
  const count = (keys: string[]) => {
    const seen = new Map<string, number>();
    for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
    return [...seen].filter(([, n]) => n > 1);
  };
  for (const [k, n] of count(r.actions.map((a) => `${a.action} ${a.target} (${a.rule})`))) out.push(`${k} ×${n}`);
  for (const [k, n] of count(r.pages.map((p) => `page ${p.severity} ${p.summary}`))) out.push(`${k} ×${n}`);
  return out;
}

function verdictReasons(s: DrillScenario, r: Replay, measuredMs: number | null, doneTwice: readonly string[]): string[] {
  const reasons: string[] = doneTwice.map((d) => `done twice: ${d}`);
  const within = (what: string) => {
    if (measuredMs === null) reasons.push(`${what} never happened`);
    else if (measuredMs > s.objective.objectiveMs) reasons.push(`${what} after ${fmtMs(measuredMs)}, objective ${fmtMs(s.objective.objectiveMs)} (${s.objective.source})`);
  };
  if (s.expect === 'tolerate') {
    if (r.redAlert) reasons.push('a Red alert fired for a fault that should be tolerated');
    if (r.startedAtMs !== undefined) reasons.push('a remediation ran for a fault that should be tolerated');
    return reasons;
  }
  if (!r.firstAlert) reasons.push('no alert fired: not detected');
  else if (s.expectAlert && !r.fired.has(s.expectAlert)) reasons.push(`${s.expectAlert} never fired (${[...r.fired].join(', ')} did): not the case this scenario drills`);
  if (s.expect === 'recover' || s.expect === 'heal') within('Green again');
  if (s.expect === 'recover' && r.startedAtMs === undefined) reasons.push('no remediation started');
  if (s.expect === 'contain') within('trading halted and P0 paged');
  if (s.expect === 'escalate') {
    within('escalation');
    if (!r.pages.some((p) => p.severity === 'P0')) reasons.push('no P0 page');
  }
  return reasons;
}

export function fmtMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}
