import { fmtMs, summarizeRun, type DrillEvent, type DrillRun } from './drill-record';
import type { DrillScenario } from './drill-scenarios';

/**
 * What `warden drill` shows while it runs: one line per run, rewritten in place on a terminal
 * (`progressLine`) and left behind once the run has its verdict (`runLine`). Pure: time comes in.
 */
export function progressLine(s: DrillScenario, repeat: number, repeats: number, component: string, events: readonly DrillEvent[], nowMs: number): string {
  const head = `${s.name} ${repeat}/${repeats} ${component}`;
  const fault = events.find((e) => e.kind === 'fault');
  if (!fault) return `${head}: waiting for the exchange to be Green`;
  const run = summarizeRun(s, repeat, component, events);
  return `${head}: ${fmtMs(nowMs - fault.atMs)} since the fault${steps(run)}`;
}

export function runLine(run: DrillRun, repeats: number): string {
  const verdict = run.passed ? 'PASS' : 'MISS';
  const target = run.targetMet === null ? '' : run.targetMet ? ', target met' : ', target missed';
  const why = run.passed ? '' : `: ${run.reasons.join('; ')}`;
  return `${verdict} ${run.scenario} ${run.repeat}/${repeats} ${run.component}${steps(run)} (objective ${fmtMs(run.objectiveMs)} from ${run.objectiveFrom}${target})${why}`;
}

function steps(run: DrillRun): string {
  const parts: string[] = [];
  if (run.detectMs !== null) parts.push(`${run.firstAlert ?? 'alert'} ${fmtMs(run.detectMs)}`);
  if (run.remediationStartedMs !== null) parts.push(`remediation ${fmtMs(run.remediationStartedMs)}`);
  if (run.remediationVerifiedMs !== null) parts.push(`verified ${fmtMs(run.remediationVerifiedMs)}`);
  if (run.pages.length > 0) parts.push(`paged ${run.pages.map((p) => p.severity).join(',')}`);
  if (run.greenMs !== null) parts.push(`Green ${fmtMs(run.greenMs)}`);
  return parts.length === 0 ? '' : ` | ${parts.join(' -> ')}`;
}
