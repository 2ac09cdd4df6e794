import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The scrape targets of scrape_1000_targets_cpu_pct (issue 10 §5), as one process of their own so
 * their CPU is not Warden's: `ports` loopback servers, each with `perPort` targets at
 * /t/<n>/metrics, each exposing `series` series of the metrics the shipped rules select.
 * Sends its ports to the parent over IPC.
 */
export function exposition(target: number, series: number): string {
  const components = ['matching-engine', 'settlement', 'database', 'market-data', 'order-gateway', 'reporting'];
  const lines: string[] = [];
  for (let i = 0; i < series; i++) {
    const name = i % 2 === 0 ? 'memory_used_ratio' : 'processing_lag_seconds';
    const pod = `t${target}-${i >> 1}`;
    lines.push(`${name}{component="${components[(target + i) % 6]}",pod="${pod}"} ${((i * 7) % 50) / 100}`);
  }
  return lines.join('\n') + '\n';
}

async function main(ports: number, perPort: number, series: number): Promise<void> {
  const servers: Server[] = [];
  for (let p = 0; p < ports; p++) {
    const bodies = Array.from({ length: perPort }, (_, k) => Buffer.from(exposition(p * perPort + k, series)));
    const server = createServer((req, res) => {
      const m = /^\/t\/(\d+)\/metrics$/.exec(req.url ?? '');
      const body = m ? bodies[Number(m[1])] : undefined;
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': body.length }).end(body);
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  process.send?.({ ports: servers.map((s) => (s.address() as AddressInfo).port) });
  process.on('message', (m) => {
    if (m === 'stop') for (const s of servers) s.close(() => undefined), s.closeAllConnections();
    if (m === 'stop') setTimeout(() => process.exit(0), 100);
  });
}

if (require.main === module) {
  const [ports, perPort, series] = process.argv.slice(2).map(Number);
  void main(ports ?? 10, perPort ?? 100, series ?? 100);
}
