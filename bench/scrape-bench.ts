import { fork } from 'node:child_process';
import { join } from 'node:path';
import { cpuPercentOver } from './proc-cpu';
import { startChildWarden } from './quiet-warden';
import { round } from './bench-env';

const PORTS = 10;
const PER_PORT = 100;
const SERIES = 100;

/**
 * scrape_1000_targets_cpu_pct (issue 10 §5): `warden start` (shipped config and rules) scraping
 * 1000 local targets x 100 series at 1 s, served by one other process on 10 loopback ports; the
 * share of one core Warden's node process and its redis-server use, from /proc utime+stime.
 * Also reports how many scrapes a second succeeded, so a Warden that falls behind shows it.
 */
export async function benchScrape1000(o: { warmupSeconds?: number; seconds?: number } = {}): Promise<{ scrape_1000_targets_cpu_pct: number; scrape_1000_targets_ok_per_s: number }> {
  const targets = fork(join(__dirname, 'scrape-targets.js'), [String(PORTS), String(PER_PORT), String(SERIES)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<void>((r) => targets.once('exit', () => r()));
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      targets.once('message', (m: { ports: number[] }) => resolve(m.ports));
      targets.once('error', reject);
      void exited.then(() => reject(new Error('scrape targets exited before listening')));
    });
    const scrape = ports.flatMap((port) => Array.from({ length: PER_PORT }, (_, k) => ({ job: `bench-${port}-${k}`, url: `http://127.0.0.1:${port}/t/${k}/metrics`, interval: '1s' })));
    const w = await startChildWarden({ scrape });
    try {
      await new Promise((r) => setTimeout(r, (o.warmupSeconds ?? 10) * 1000));
      const seconds = o.seconds ?? 20;
      const ok0 = await successfulScrapes(w.url);
      const t0 = Date.now();
      const [node, redis] = await Promise.all([cpuPercentOver([w.pid], seconds), cpuPercentOver([w.redisPid], seconds)]);
      const okPerS = ((await successfulScrapes(w.url)) - ok0) / ((Date.now() - t0) / 1000);
      return { scrape_1000_targets_cpu_pct: round(node + redis, 1), scrape_1000_targets_ok_per_s: Math.round(okPerS) };
    } finally {
      await w.stop();
    }
  } finally {
    if (targets.exitCode === null) targets.send('stop');
    await exited;
  }
}

/** Sum of warden_scrapes_total{outcome="success"} from Warden's /metrics. */
async function successfulScrapes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith('warden_scrapes_total{') && line.includes('outcome="success"')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}
