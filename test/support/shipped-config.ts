import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { REPO } from './cli';

/**
 * The shipped warden.yaml, word for word except where it points: its simulator ports (9300..) are
 * moved to `basePort`.. (so a test never collides with `npm start` or another test), its log
 * directories under `dir`, and `server.port` to 0. Probes, timings, rules and remediation settings
 * stay as shipped: what the test measures is what a user gets.
 */
export function shippedConfigText(o: { basePort?: number; dir: string; url?: (shippedPort: number, path: string) => string }): string {
  const text = readFileSync(join(REPO, 'warden.yaml'), 'utf8');
  const moved = (port: number, path: string) => o.url?.(port, path) ?? `http://127.0.0.1:${(o.basePort as number) + (port - 9300)}${path}`;
  return text
    .replace(/http:\/\/127\.0\.0\.1:(93\d\d)([^"\s]*)/g, (_m, port: string, path: string) => moved(Number(port), path))
    .replace(/base_port: 9300/, `base_port: ${o.basePort ?? 9300}`)
    .replace(/\.warden\/sim\/logs/g, join(o.dir, 'sim', 'logs'))
    .replace(/\.warden\/sim\/archive/g, join(o.dir, 'sim', 'archive'))
    .replace(/^( {2}port: )9097/m, '$10');
}

/** A base port with the 8 ports of the simulator's layout free (control, admin, 6 components). */
export async function freePortRange(count = 8): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => portFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
