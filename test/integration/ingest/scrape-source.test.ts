import { Registry } from 'prom-client';
import { ScrapeSource, SCRAPE_ACCEPT_HEADER } from '../../../src/ingest/scrape-source';
import type { ScrapeConfig } from '../../../src/config/schema';
import { silentLogger } from '../../../src/telemetry/logger';
import { freePort } from '../../support/redis-server';
import { capturingLogger, collectingSink, find, hang, reply, startTarget, type TestTarget, waitFor } from './scrape-probe-server';

const NOW = 1_700_000_000_000;
const clock = () => NOW;
// Short enough for several scrapes in a test, long enough that a loaded runner's local request is not a timeout.
const FAST = { interval: 500, timeout: 500 };

const GOOD_BODY = [
  '# HELP orders_total Orders accepted.',
  '# TYPE orders_total counter',
  'orders_total{side="buy"} 10',
  'orders_total{side="sell"} 7 1699999999000',
  '# TYPE replication_lag_seconds gauge',
  'replication_lag_seconds{component="database",job="exporter",instance="db-1",env="x"} 0.5',
  '',
].join('\n');

function config(url: string, over: Partial<ScrapeConfig> = {}): ScrapeConfig {
  // Generous timeouts: the test machine is shared and may be slow. Tests that need several
  // scrapes pass a short interval (FAST).
  return { job: 'exchange', url, interval: 5000, timeout: 5000, labels: {}, ...over };
}

let target: TestTarget;
const sources: ScrapeSource[] = [];

function startSource(cfg: ScrapeConfig, opts: Partial<ConstructorParameters<typeof ScrapeSource>[2]> = {}) {
  const { sink, batches } = collectingSink();
  const source = new ScrapeSource(cfg, sink, { clock, log: silentLogger(), ...opts });
  sources.push(source);
  source.start();
  return { source, batches };
}

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await target?.close();
});

async function scrapesCounter(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('warden_scrapes_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [`${v.labels.job}/${v.labels.outcome}`, v.value]));
}

describe('scraping a healthy target', () => {
  it('hands over every exposed sample with job, instance and config labels, and up 1', async () => {
    target = await startTarget(reply(200, GOOD_BODY));
    const registry = new Registry();
    const { batches } = startSource(config(target.url, { labels: { env: 'test' } }), { registry });
    const batch = await waitFor(() => batches[0], 'first scrape');
    const instance = `127.0.0.1:${target.port}`;
    const target_ = { job: 'exchange', instance, env: 'test' };

    const byKey = (name: string, pick: (l: Record<string, string>) => boolean) => batch.find((s) => s.name === name && pick({ ...s.labels }));
    expect({ ...byKey('orders_total', (l) => l.side === 'buy')?.labels }).toEqual({ ...target_, side: 'buy' });
    // Samples without a timestamp get the scrape time; exposed timestamps are kept.
    expect(byKey('orders_total', (l) => l.side === 'buy')?.timestampMs).toBe(NOW);
    expect(byKey('orders_total', (l) => l.side === 'sell')).toMatchObject({ value: 7, timestampMs: 1699999999000 });
    // Target labels win; the exposed ones they clash with are kept as exported_<name>.
    expect({ ...find(batch, 'replication_lag_seconds')?.labels }).toEqual({
      component: 'database', job: 'exchange', instance, env: 'test',
      exported_job: 'exporter', exported_instance: 'db-1', exported_env: 'x',
    });

    expect(find(batch, 'up')).toEqual({ name: 'up', labels: target_, value: 1, timestampMs: NOW });
    expect(find(batch, 'scrape_samples_scraped')?.value).toBe(3);
    expect(find(batch, 'scrape_duration_seconds')?.value).toBeGreaterThanOrEqual(0);
    expect(batch).toHaveLength(6);
    expect(await scrapesCounter(registry)).toEqual({ 'exchange/success': 1 });
  });

  it('asks for the text format and says its timeout, like Prometheus', async () => {
    target = await startTarget(reply(200, GOOD_BODY));
    const { batches } = startSource(config(target.url, { interval: 1000, timeout: 250 }));
    await waitFor(() => batches[0], 'first scrape');
    expect(target.requests[0]?.accept).toBe(SCRAPE_ACCEPT_HEADER);
    expect(target.requests[0]?.['x-prometheus-scrape-timeout-seconds']).toBe('0.25');
  });

  it('scrapes again on its interval', async () => {
    target = await startTarget(reply(200, GOOD_BODY));
    const { batches } = startSource(config(target.url, FAST));
    await waitFor(() => batches.length >= 3, 'three scrapes');
    expect(target.requests.length).toBeGreaterThanOrEqual(3);
    expect(batches.every((b) => find(b, 'up') !== undefined)).toBe(true);
  });

  it('names itself after its job and instance, with the default port made explicit', () => {
    const source = new ScrapeSource(config('http://exporter.internal/metrics'), () => undefined, { log: silentLogger() });
    expect(source.name).toBe('scrape:exchange:exporter.internal:80');
    expect(source.targetLabels).toEqual({ job: 'exchange', instance: 'exporter.internal:80' });
  });
});

describe('a failed scrape sets up 0 and hands over no target samples', () => {
  async function failedScrape(cfg: ScrapeConfig, outcome: string) {
    const registry = new Registry();
    const { log, lines } = capturingLogger();
    const { batches } = startSource(cfg, { registry, log });
    const batch = await waitFor(() => batches[0], 'first scrape');
    expect(batch.map((s) => s.name).sort()).toEqual(['scrape_duration_seconds', 'scrape_samples_scraped', 'up']);
    expect(find(batch, 'up')).toMatchObject({ value: 0, timestampMs: NOW, labels: { job: 'exchange' } });
    expect(find(batch, 'scrape_samples_scraped')?.value).toBe(0);
    expect(await scrapesCounter(registry)).toEqual({ [`exchange/${outcome}`]: 1 });
    const warning = lines.find((l) => l.msg === 'scrape failed: target is down (up 0)');
    expect(warning).toMatchObject({ outcome });
    return { batch, warning: warning as { error: string } };
  }

  it('on HTTP 500', async () => {
    target = await startTarget(reply(500, 'oops'));
    const { warning } = await failedScrape(config(target.url), 'http_error');
    expect(warning.error).toBe('HTTP status 500');
  });

  it('on a timeout (a target that never answers)', async () => {
    target = await startTarget(hang);
    const { batch } = await failedScrape(config(target.url, { interval: 1000, timeout: 100 }), 'timeout');
    expect(find(batch, 'scrape_duration_seconds')?.value).toBe(0); // the injected clock stood still
  });

  it('on a body that is not exposition text, naming the line', async () => {
    target = await startTarget(reply(200, 'good_metric 1\n<html>oops</html>\n'));
    const { warning } = await failedScrape(config(target.url), 'parse_error');
    expect(warning.error).toBe('line 2: expected a metric name but found "<"');
  });

  it('on a refused connection', async () => {
    const port = await freePort();
    const { batch, warning } = await failedScrape(config(`http://127.0.0.1:${port}/metrics`), 'connection_error');
    expect(find(batch, 'up')?.labels).toEqual({ job: 'exchange', instance: `127.0.0.1:${port}` });
    expect(warning.error).toMatch(/ECONNREFUSED/);
  });
});

describe('scrape lifecycle', () => {
  it('goes back to up 1 once the target recovers', async () => {
    target = await startTarget(reply(503));
    const { batches } = startSource(config(target.url, FAST));
    await waitFor(() => batches[0], 'first scrape');
    target.handler = reply(200, GOOD_BODY);
    const recovered = await waitFor(() => batches.find((b) => find(b, 'up')?.value === 1), 'up 1');
    expect(find(recovered, 'scrape_samples_scraped')?.value).toBe(3);
    expect(find(batches[0], 'up')?.value).toBe(0);
  });

  it('stops promptly during a hanging scrape, reports nothing for it, and stops twice safely', async () => {
    target = await startTarget(hang);
    const { source, batches } = startSource(config(target.url, { interval: 10_000, timeout: 10_000 }));
    await waitFor(() => target.requests.length === 1, 'the scrape to begin');
    const stopped = source.stop();
    expect(source.stop()).toBe(stopped);
    await stopped;
    expect(batches).toEqual([]);
  });

  it('hands over nothing after stop', async () => {
    target = await startTarget(reply(200, GOOD_BODY));
    const { source, batches } = startSource(config(target.url, FAST));
    await waitFor(() => batches.length >= 1, 'a scrape');
    await source.stop();
    const count = batches.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(batches.length).toBe(count);
  });
});
