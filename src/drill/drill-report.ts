import { fmtMs, type DrillRun } from './drill-record';
import type { DrillScenario } from './drill-scenarios';

export interface FigureStats {
  readonly p50: number | null;
  readonly max: number | null;
}

export interface ScenarioReport {
  readonly name: string;
  readonly title: string;
  readonly expect: DrillScenario['expect'];
  readonly objective: { readonly source: string; readonly objectiveMs: number; readonly from: 'fault' | 'alert' };
  readonly target: { readonly detectMs: number; readonly recoverMs: number } | null;
  readonly runs: readonly DrillRun[];
  readonly detectMs: FigureStats;
  readonly greenMs: FigureStats;
  readonly measuredMs: FigureStats;
  readonly passed: boolean;
  readonly targetMet: boolean | null;
}

/** The one JSON object `warden drill --json` prints. */
export interface DrillReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly interrupted: boolean;
  /** The warden.yaml the drill's Warden ran with (the one being drilled). */
  readonly config: string;
  /** Where the faults went: the simulator (started by the drill or already running) or an exchange's hooks. */
  readonly target: DrillTarget;
  readonly scenarios: readonly ScenarioReport[];
  /** Every run of every scenario met its objective (and the drill was not interrupted). */
  readonly passed: boolean;
}

export interface DrillTarget {
  readonly kind: 'simulator' | 'fault_hooks';
  readonly url: string;
  /** True when the drill started the simulator itself (and stopped it afterwards). */
  readonly started: boolean;
}

/** The report of a drill: runs grouped by scenario, in the order the scenarios were asked for. */
export function drillReport(o: { startedAtMs: number; finishedAtMs: number; interrupted: boolean; config: string; target: DrillTarget; scenarios: ReadonlyArray<{ scenario: DrillScenario; runs: readonly DrillRun[] }> }): DrillReport {
  const scenarios = o.scenarios.filter((x) => x.runs.length > 0).map((x) => scenarioReport(x.scenario, x.runs));
  return {
    startedAt: new Date(o.startedAtMs).toISOString(), finishedAt: new Date(o.finishedAtMs).toISOString(), interrupted: o.interrupted,
    config: o.config, target: o.target, scenarios,
    passed: !o.interrupted && scenarios.length > 0 && scenarios.every((s) => s.passed),
  };
}

/** p50 by nearest rank (the figure a run actually had); null when no run had the figure. */
export function stats(values: ReadonlyArray<number | null>): FigureStats {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0 || v.length < values.length) return { p50: v.length === 0 ? null : (v[Math.ceil(v.length / 2) - 1] as number), max: null };
  return { p50: v[Math.ceil(v.length / 2) - 1] as number, max: v[v.length - 1] as number };
}

export function scenarioReport(s: DrillScenario, runs: readonly DrillRun[]): ScenarioReport {
  return {
    name: s.name, title: s.title, expect: s.expect, objective: s.objective, target: s.target ?? null, runs,
    detectMs: stats(runs.map((r) => r.detectMs)), greenMs: stats(runs.map((r) => r.greenMs)), measuredMs: stats(runs.map((r) => r.measuredMs)),
    passed: runs.length > 0 && runs.every((r) => r.passed),
    targetMet: s.target ? runs.every((r) => r.targetMet === true) : null,
  };
}

const HEADERS = ['scenario', 'runs', 'expect', 'detect p50/max', 'Green p50/max', 'measured max', 'objective', 'pages', 'twice', 'result'];

/** The table at the end of a drill (also what the README shows). */
export function drillTable(report: DrillReport): string {
  const rows = report.scenarios.map((s) => [
    s.name, String(s.runs.length), s.expect,
    `${fmtMs(s.detectMs.p50)} / ${fmtMs(s.detectMs.max)}`,
    `${fmtMs(s.greenMs.p50)} / ${fmtMs(s.greenMs.max)}`,
    fmtMs(s.measuredMs.max),
    `${fmtMs(s.objective.objectiveMs)} from ${s.objective.from} (${s.objective.source})`,
    pagesOf(s.runs),
    String(s.runs.reduce((n, r) => n + r.doneTwice.length, 0)),
    (s.passed ? 'PASS' : 'MISS') + (s.targetMet === null ? '' : s.targetMet ? ' (target met)' : ' (target missed)'),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  const out = [line(HEADERS), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
  const misses = report.scenarios.flatMap((s) => s.runs.filter((r) => !r.passed).map((r) => `  ${s.name} #${r.repeat} (${r.component}): ${r.reasons.join('; ')}`));
  if (misses.length > 0) out.push('', 'misses:', ...misses);
  return `${out.join('\n')}\n`;
}

function pagesOf(runs: readonly DrillRun[]): string {
  const bySeverity = new Map<string, number>();
  for (const r of runs) for (const p of r.pages) bySeverity.set(p.severity, (bySeverity.get(p.severity) ?? 0) + 1);
  return bySeverity.size === 0 ? 'none' : [...bySeverity].map(([sev, n]) => `${n}×${sev}`).join(' ');
}
