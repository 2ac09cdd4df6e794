import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuPercentOver } from './proc-cpu';
import { startChildWarden } from './quiet-warden';
import { round } from './bench-env';

/** A component's exposition as the simulator serves it: the series the shipped rules select. */
export function componentExposition(component: string): string {
  return [
    `component_up{component="${component}"} 1`,
    `component_read_only{component="${component}"} 0`,
    `replication_lag_seconds{component="${component}"} 0.2`,
    `processing_lag_seconds{component="${component}"} 0.1`,
    `memory_used_ratio{component="${component}"} 0.4`,
    `invariant_violations_total{component="${component}"} 0`,
    '',
  ].join('\n');
}

function targetServer(body: string): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export interface IdleOptions {
  readonly seconds?: number;
  readonly warmupSeconds?: number;
  readonly scrapeInterval?: string;
  readonly nodeArgs?: readonly string[];
}

/**
 * idle_cpu_pct (issue 10 §4): a quiet `warden start` (shipped config and rules, one scrape target
 * at 1 s, no pushes) in a child process; the share of one core its node process and its embedded
 * redis-server use together, from /proc/<pid>/stat utime+stime over the measured window.
 */
export async function benchIdle(o: IdleOptions = {}): Promise<{ idle_cpu_pct: number; idle_cpu_pct_node: number; idle_cpu_pct_redis: number }> {
  const target = await targetServer(componentExposition('matching-engine'));
  const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics`;
  try {
    const w = await startChildWarden({ scrape: [{ job: 'matching-engine', url, interval: o.scrapeInterval ?? '1s' }], nodeArgs: o.nodeArgs });
    try {
      // Start-up work (rule load, first ticks, JIT) is not the quiet cost.
      await new Promise((r) => setTimeout(r, (o.warmupSeconds ?? 5) * 1000));
      const seconds = o.seconds ?? 20;
      const [node, redis] = await Promise.all([cpuPercentOver([w.pid], seconds), cpuPercentOver([w.redisPid], seconds)]);
      return { idle_cpu_pct: round(node + redis, 2), idle_cpu_pct_node: round(node, 2), idle_cpu_pct_redis: round(redis, 2) };
    } finally {
      await w.stop();
    }
  } finally {
    await new Promise((r) => target.close(r));
  }
}

// `node dist-bench/bench/idle-bench.js [--seconds 60] [--interval 1s] [--cpu-prof <dir>]`
if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const prof = arg('--cpu-prof');
  benchIdle({
    seconds: Number(arg('--seconds') ?? 60),
    scrapeInterval: arg('--interval') ?? '1s',
    nodeArgs: prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [],
  }).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
