import { gzipSync } from 'node:zlib';
import { ScrapeSource } from '../../../src/ingest/scrape-source';
import type { ScrapeConfig } from '../../../src/config/schema';
import { silentLogger } from '../../../src/telemetry/logger';
import { collectingSink, find, startTarget, type TestTarget, waitFor } from './scrape-probe-server';

// The HTTP side of a scrape as Prometheus does it: gzip, redirects, one kept-alive connection.
const NOW = 1_700_000_000_000;
const BODY = 'orders_total{side="buy"} 10\nreplication_lag_seconds{component="database"} 0.5\n';

let target: TestTarget;
const sources: ScrapeSource[] = [];

function startSource(url: string, over: Partial<ScrapeConfig> = {}) {
  const { sink, batches } = collectingSink();
  const source = new ScrapeSource({ job: 'exchange', url, interval: 300, timeout: 300, labels: {}, ...over }, sink, { clock: () => NOW, log: silentLogger() });
  sources.push(source);
  source.start();
  return batches;
}

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await target?.close();
});

describe('scrape over HTTP', () => {
  it('asks for gzip and decodes a gzip body', async () => {
    target = await startTarget((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(gzipSync(BODY));
    });
    const batches = startSource(target.url, { interval: 5000, timeout: 5000 });
    const batch = await waitFor(() => batches[0], 'first scrape');
    expect(target.requests[0]?.['accept-encoding']).toBe('gzip');
    expect(find(batch, 'up')?.value).toBe(1);
    expect(find(batch, 'replication_lag_seconds')?.value).toBe(0.5);
    expect(find(batch, 'scrape_samples_scraped')?.value).toBe(2);
  });

  it('follows a redirect, and fails a redirect loop as a connection error (up 0) after 10 hops', async () => {
    let hops = 0;
    target = await startTarget((req, res) => {
      if (req.url === '/metrics') return void res.writeHead(302, { location: '/real/metrics' }).end();
      if (req.url === '/loop') return void (hops++, res.writeHead(301, { location: '/loop' }).end());
      res.writeHead(200, { 'content-type': 'text/plain' }).end(BODY);
    });
    const ok = startSource(target.url, { interval: 5000, timeout: 5000 });
    expect(find(await waitFor(() => ok[0], 'redirected scrape'), 'orders_total')?.value).toBe(10);
    const loop = startSource(target.url.replace('/metrics', '/loop'), { interval: 5000, timeout: 5000 });
    const failed = await waitFor(() => loop[0], 'looping scrape');
    expect(find(failed, 'up')?.value).toBe(0);
    expect(hops).toBe(11);
  });

  it('keeps one connection across scrapes, and still scrapes a target that closes every connection', async () => {
    const ports = new Set<number>();
    target = await startTarget((req, res) => {
      ports.add(req.socket.remotePort as number);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(BODY);
    });
    const batches = startSource(target.url);
    await waitFor(() => batches.length >= 3, 'three scrapes');
    expect(batches.slice(0, 3).map((b) => find(b, 'up')?.value)).toEqual([1, 1, 1]);
    expect(ports.size).toBe(1);

    await target.close();
    ports.clear();
    target = await startTarget((req, res) => {
      ports.add(req.socket.remotePort as number);
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end(BODY);
    });
    const closing = startSource(target.url);
    await waitFor(() => closing.length >= 3, 'three scrapes of a closing target');
    expect(closing.slice(0, 3).map((b) => find(b, 'up')?.value)).toEqual([1, 1, 1]);
    expect(ports.size).toBeGreaterThanOrEqual(3);
  });
});
