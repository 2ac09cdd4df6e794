import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time by function and by file of a V8 .cpuprofile (`node --cpu-prof`): where a quiet
 * Warden's CPU goes (issue 10 §4). Deltas are attributed to the sample they precede, as DevTools does.
 */
export function summarize(profile: Profile, top = 25, skipMs = 0): { totalMs: number; byFunction: Array<[string, number]>; byFile: Array<[string, number]> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  let atMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    atMs += ms;
    // Start-up (module loading, rule compilation) is not the steady state being profiled.
    if (atMs < skipMs) return;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const shortUrl = url.replace(/^.*node_modules\//, 'nm/').replace(/^.*\/dist\//, 'dist/');
    total += ms;
    const f = `${functionName || '(anonymous)'} ${shortUrl}:${lineNumber + 1}`;
    fn.set(f, (fn.get(f) ?? 0) + ms);
    const pkg = shortUrl.startsWith('nm/') ? shortUrl.split('/').slice(0, shortUrl.startsWith('nm/@') ? 3 : 2).join('/') : shortUrl || functionName;
    file.set(pkg, (file.get(pkg) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs: total, byFunction: sorted(fn), byFile: sorted(file) };
}

// `node dist-bench/bench/cpuprofile-summary.js <file.cpuprofile> [top] [skipMs]`
if (require.main === module) {
  const [path, top, skip] = process.argv.slice(2);
  if (!path) throw new Error('usage: cpuprofile-summary <file.cpuprofile> [top] [skipMs]');
  const s = summarize(JSON.parse(readFileSync(path, 'utf8')) as Profile, top ? Number(top) : 25, skip ? Number(skip) : 0);
  const line = ([k, ms]: [string, number]) => `${ms.toFixed(1).padStart(9)} ms  ${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%  ${k}`;
  process.stdout.write(`total ${s.totalMs.toFixed(0)} ms\n-- by file/package --\n${s.byFile.map(line).join('\n')}\n-- by function --\n${s.byFunction.map(line).join('\n')}\n`);
}
