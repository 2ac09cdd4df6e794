import { fork } from 'node:child_process';
import { join } from 'node:path';
import { rssMb } from './proc-cpu';
import { round } from './bench-env';

export interface RssOptions {
  readonly series: number;
  /** Simulated seconds of 1 sample/s per series (issue 10 §5: 15 minutes). */
  readonly seconds?: number;
  /** Wall-clock budget for the fill: the figure then says how far it got (`*_simulated_s`). */
  readonly budgetMs: number;
  /** Past this RSS the child is stopped (a shared machine must not swap): the figure is then ">= ceiling". */
  readonly ceilingMb: number;
}

/**
 * RSS of a Warden (shipped rules) holding `series` series after `seconds` simulated seconds, in a
 * child process. Bounded in time and memory: when the budget or the ceiling is reached first, the
 * RSS at that point is reported with the simulated seconds reached, so a partial fill is visible.
 */
export async function benchRss(o: RssOptions): Promise<{ rssMb: number; simulatedSeconds: number; series: number; peakRssMb: number }> {
  const seconds = o.seconds ?? 900;
  const child = fork(join(__dirname, 'rss-child.js'), [String(o.series), String(seconds)], { execArgv: [`--max-old-space-size=${Math.ceil(o.ceilingMb * 1.5)}`], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pid = child.pid as number;
  let simulated = 0;
  let seriesCount = 0;
  let peak = 0;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let stopWatch = () => undefined as void;
  try {
    const outcome = await new Promise<'done' | 'budget' | 'ceiling'>((resolve, reject) => {
      // From the fork: start-up and creating the series count against the budget too.
      const budget = { at: Date.now() + o.budgetMs };
      const watch = setInterval(() => {
        let rss: number;
        try {
          rss = rssMb(pid);
        } catch {
          return;
        }
        peak = Math.max(peak, rss);
        if (rss > o.ceilingMb) resolve('ceiling');
        if (Date.now() > budget.at) resolve('budget');
      }, 250);
      child.on('message', (m: { simulatedSeconds?: number; series?: number; done?: boolean }) => {
        simulated = m.simulatedSeconds ?? simulated;
        seriesCount = m.series ?? seriesCount;
        if (m.done) resolve('done');
      });
      void exited.then((code) => reject(new Error(`rss child exited early (${code})`)));
      void exited.finally(() => clearInterval(watch));
      stopWatch = () => clearInterval(watch);
      child.once('error', reject);
    });
    const rss = outcome === 'ceiling' ? peak : rssMb(pid);
    stopWatch();
    return { rssMb: round(rss, 0), simulatedSeconds: round(simulated, 1), series: seriesCount, peakRssMb: round(Math.max(peak, rss), 0) };
  } finally {
    if (child.exitCode === null) child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }
}

export async function benchScaleRss(): Promise<Record<string, number>> {
  const k100 = await benchRss({ series: 100_000, budgetMs: 75_000, ceilingMb: 3_000 });
  const m1 = await benchRss({ series: 1_000_000, budgetMs: 120_000, ceilingMb: 4_000 });
  return {
    scale_100k_rss_mb: k100.rssMb,
    scale_100k_rss_simulated_s: k100.simulatedSeconds,
    scale_1m_rss_mb: m1.rssMb,
    scale_1m_rss_simulated_s: m1.simulatedSeconds,
  };
}
