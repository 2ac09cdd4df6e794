import { fmtMs, type DrillMark, type DrillRun } from './drill-record';
import type { DrillReport, ScenarioReport } from './drill-report';

/**
 * `warden drill --report FILE.html`: one self-contained page (inline CSS and SVG, no script, no
 * network), a summary table and, per scenario, a timeline chart: one row per run, the overall
 * health as coloured bands, and a marker for each step from the fault to Green again.
 */
const COLOURS: Record<string, string> = { green: '#2e9d4f', yellow: '#e0b000', red: '#d23b3b' };
const MARKS: Record<DrillMark['what'], { colour: string; shape: 'line' | 'dot' | 'diamond' }> = {
  fault: { colour: '#111', shape: 'line' },
  alert: { colour: '#d23b3b', shape: 'dot' },
  remediation_started: { colour: '#2f6fdb', shape: 'diamond' },
  remediation_verified: { colour: '#6a3fc1', shape: 'diamond' },
  halted: { colour: '#8a1c1c', shape: 'diamond' },
  escalated: { colour: '#b35c00', shape: 'diamond' },
  page: { colour: '#e07b00', shape: 'dot' },
  cleared: { colour: '#555', shape: 'line' },
  green: { colour: '#2e9d4f', shape: 'line' },
  health: { colour: '#999', shape: 'line' },
  end: { colour: '#8c959f', shape: 'line' },
};
const LEGEND: Array<[DrillMark['what'], string]> = [
  ['fault', 'fault injected'], ['alert', 'first alert firing'], ['remediation_started', 'remediation started'],
  ['remediation_verified', 'verified'], ['halted', 'trading halted'], ['escalated', 'escalated'], ['page', 'incident / page'],
  ['cleared', 'fault cleared (drill)'], ['green', 'Green again'], ['end', 'end of observation'],
];

export function drillReportHtml(report: DrillReport): string {
  const body = report.scenarios.map(scenarioSection).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Warden drill ${esc(report.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 6px} .muted{color:#57606a}
table{border-collapse:collapse;margin:8px 0} th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa} .pass{color:#1a7f37;font-weight:600} .miss{color:#cf222e;font-weight:600}
.legend span{display:inline-block;margin-right:14px} .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
svg text{font:11px system-ui,sans-serif;fill:#1b1f24}
</style></head><body>
<h1>Warden drill: <span class="${report.passed ? 'pass' : 'miss'}" id="verdict">${report.passed ? 'all objectives met' : 'objective missed'}</span></h1>
<div class="muted">${esc(report.startedAt)} – ${esc(report.finishedAt)}${report.interrupted ? ' (interrupted)' : ''}. Times from Warden's own events: alert transitions, health transitions, audited remediation and incident steps.</div>
${summaryTable(report.scenarios)}
<div class="legend">${LEGEND.map(([w, l]) => `<span><i style="background:${(MARKS[w] as { colour: string }).colour}"></i>${esc(l)}</span>`).join('')}
${Object.entries(COLOURS).map(([k, c]) => `<span><i style="background:${c};opacity:.35"></i>overall ${k}</span>`).join('')}</div>
${body}
</body></html>
`;
}

function summaryTable(scenarios: readonly ScenarioReport[]): string {
  const rows = scenarios.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.title)}</td><td>${s.runs.length}</td><td>${esc(s.expect)}</td>
<td>${fmtMs(s.detectMs.p50)} / ${fmtMs(s.detectMs.max)}</td><td>${fmtMs(s.greenMs.p50)} / ${fmtMs(s.greenMs.max)}</td>
<td>${fmtMs(s.objective.objectiveMs)} from ${esc(s.objective.from)}<br><span class="muted">${esc(s.objective.source)}</span></td>
<td class="${s.passed ? 'pass' : 'miss'}">${s.passed ? 'PASS' : 'MISS'}${s.targetMet === null ? '' : s.targetMet ? ' (target met)' : ' (target missed)'}</td></tr>`);
  return `<table id="summary"><tr><th>scenario</th><th>what</th><th>runs</th><th>expect</th><th>detect p50 / max</th><th>Green again p50 / max</th><th>objective</th><th>result</th></tr>${rows.join('')}</table>`;
}

const ROW_H = 34;
const LEFT = 200;
const WIDTH = 1100;

function scenarioSection(s: ScenarioReport): string {
  const spanMs = Math.max(1000, ...s.runs.flatMap((r) => r.timeline.map((m) => m.atMs)));
  const scale = (ms: number) => LEFT + (Math.max(0, ms) / spanMs) * (WIDTH - LEFT - 20);
  const height = 30 + s.runs.length * ROW_H + 24;
  const ticks = tickValues(spanMs).map((t) => `<line x1="${scale(t)}" x2="${scale(t)}" y1="20" y2="${height - 22}" stroke="#eaeef2"/><text x="${scale(t)}" y="${height - 8}" text-anchor="middle">${fmtMs(t)}</text>`).join('');
  const rows = s.runs.map((r, i) => runRow(r, 24 + i * ROW_H, scale, spanMs)).join('');
  const misses = s.runs.filter((r) => !r.passed).map((r) => `<li>#${r.repeat} (${esc(r.component)}): ${esc(r.reasons.join('; '))}</li>`).join('');
  return `<section class="scenario" data-scenario="${esc(s.name)}"><h2>${esc(s.name)}: ${esc(s.title)} <span class="${s.passed ? 'pass' : 'miss'}">${s.passed ? 'PASS' : 'MISS'}</span></h2>
<svg class="timeline" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="timeline of ${esc(s.name)}">${ticks}${rows}</svg>
${misses ? `<ul class="miss">${misses}</ul>` : ''}</section>`;
}

function runRow(r: DrillRun, y: number, scale: (ms: number) => number, spanMs: number): string {
  const bands: string[] = [];
  let status = 'green';
  let from = 0;
  for (const m of r.timeline.filter((x) => x.what === 'health')) {
    bands.push(band(from, m.atMs, status));
    status = m.status ?? status;
    from = m.atMs;
  }
  bands.push(band(from, spanMs, status));
  function band(a: number, b: number, st: string): string {
    return b > a ? `<rect x="${scale(a)}" y="${y}" width="${Math.max(1, scale(b) - scale(a))}" height="${ROW_H - 10}" fill="${COLOURS[st] ?? '#999'}" opacity=".3"/>` : '';
  }
  const marks = r.timeline.filter((m) => m.what !== 'health').map((m) => markSvg(m, scale(m.atMs), y)).join('');
  const label = `<text x="4" y="${y + 15}">#${r.repeat} ${esc(r.component)}</text><text x="4" y="${y + 27}" class="${r.passed ? 'pass' : 'miss'}" fill="${r.passed ? '#1a7f37' : '#cf222e'}">${r.passed ? 'pass' : 'MISS'} ${esc(figureLabel(r))}</text>`;
  return `<g class="run">${label}${bands.join('')}${marks}</g>`;
}

/** The figure the run is held to, named: Green again for a repair, the step otherwise. */
function figureLabel(r: DrillRun): string {
  if (r.expect === 'recover' || r.expect === 'heal') return `Green ${fmtMs(r.greenMs)}`;
  if (r.expect === 'tolerate') return 'no Red, nothing done';
  const step = r.expect === 'contain' ? 'halted+paged' : 'escalated';
  return `${step} ${fmtMs(r.measuredMs)}${r.objectiveFrom === 'alert' ? ' after alert' : ''}`;
}

/** Alerts sit in the upper half of a row and pages in the lower, so the two never hide each other. */
const DOT_OFFSET: Partial<Record<DrillMark['what'], number>> = { alert: -6, page: 6 };

function markSvg(m: DrillMark, x: number, y: number): string {
  const style = MARKS[m.what];
  const title = `<title>${esc(`${fmtMs(m.atMs)}: ${m.label}`)}</title>`;
  const mid = y + (ROW_H - 10) / 2 + (DOT_OFFSET[m.what] ?? 0);
  if (style.shape === 'line') return `<line class="mark ${m.what}" x1="${x}" x2="${x}" y1="${y - 2}" y2="${y + ROW_H - 8}" stroke="${style.colour}" stroke-width="2">${title}</line>`;
  if (style.shape === 'dot') return `<circle class="mark ${m.what}" cx="${x}" cy="${mid}" r="4.5" fill="${style.colour}" stroke="#fff" stroke-width="1">${title}</circle>`;
  return `<path class="mark ${m.what}" d="M${x} ${mid - 6}L${x + 6} ${mid}L${x} ${mid + 6}L${x - 6} ${mid}Z" fill="${style.colour}">${title}</path>`;
}

function tickValues(spanMs: number): number[] {
  const steps = [100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000];
  const step = steps.find((s) => spanMs / s <= 10) ?? 120_000;
  const out: number[] = [];
  for (let t = 0; t <= spanMs; t += step) out.push(t);
  return out;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
