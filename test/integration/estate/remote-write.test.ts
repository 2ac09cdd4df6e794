import { WriteRequestType, WriteRequestV2Type } from '../../../src/ingest/remote-write/prompb';
import { isStaleMarker } from '../../../src/rules/stale-marker';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { encodeWriteRequest, encodeWriteRequestV2, postRemoteWrite, snappy, V1_HEADERS, V2_HEADERS, type SeriesToSend } from '../../support/remote-write-client';

/**
 * POST /api/v1/write through a real Warden (real redis-server, real HTTP), with bodies encoded by
 * protobufjs from the prompb definitions and compressed by the snappy package, as a sender's would
 * be. Every bad request gets its 4xx and changes nothing (series, accepted samples, health).
 */
jest.setTimeout(60_000);

const INGEST = 'rw-ingest-token-0123456789';
const READ = 'rw-read-token-0123456789';
const RULES = `
groups:
  - name: exchange
    rules:
      - alert: MatchingLagHigh
        expr: rw_lag_seconds{component="matching"} > 10
        labels: {health: red, severity: P1}
`;

let h: WardenHarness;
let t0: number;

beforeAll(async () => {
  h = await startHarness({
    config: `
auth:
  tokens:
    - {name: prometheus, token: ${INGEST}, scopes: [ingest]}
    - {name: grafana, token: ${READ}, scopes: [read]}
components:
  - {name: matching, critical: true}
rules: [rules.yaml]
limits: {max_body: 4MiB, max_labels: 8, max_label_value_bytes: 64, max_series_per_metric: 30000}
`,
    files: { 'rules.yaml': RULES },
  });
});
// Fresh each test: a series idle past staleness is evicted by the evaluation tick.
beforeEach(() => {
  t0 = Date.now() - 5_000;
});
afterAll(async () => {
  await h?.stop();
});

const write = (body: Uint8Array, headers: Record<string, string | undefined> = V1_HEADERS, token = INGEST) => postRemoteWrite(h.url, body, { token, headers });
const v1 = (series: SeriesToSend[]) => snappy(encodeWriteRequest(series));

async function acceptedTotal(): Promise<number> {
  const metric = await h.warden.registry.getSingleMetric('warden_samples_accepted_total')?.get();
  return metric?.values.find((v) => v.labels.source === 'remote_write')?.value ?? 0;
}

/** Read in-process (the requests under test are HTTP): series, accepted samples, overall health. */
async function state() {
  return { series: h.warden.store.seriesCount, accepted: await acceptedTotal(), health: h.warden.tracker.current?.status };
}

/** Asserts a request was refused with `status` and `code`, and that it changed nothing. */
async function refused<T extends { status: number; text: string }>(send: () => Promise<T>, status: number, code: string): Promise<T> {
  const before = await state();
  const res = await send();
  expect({ status: res.status, text: res.text }).toEqual({ status, text: expect.stringMatching(new RegExp(`^${code}: `)) });
  expect(await state()).toEqual(before);
  return res;
}

describe('remote-write 1.0', () => {
  test('a WriteRequest is applied: 204, the rule over it fires and health turns Red; a lower value turns it Green', async () => {
    const res = await write(v1([{ labels: { __name__: 'rw_lag_seconds', component: 'matching', instance: 'm1' }, samples: [[t0, 12]] }]));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await h.request('GET', '/v1/health', { token: READ })).body.status).toBe('red');
    expect(await acceptedTotal()).toBe(1);
    const lower = await write(v1([{ labels: { __name__: 'rw_lag_seconds', component: 'matching', instance: 'm1' }, samples: [[t0 + 1000, 0.2]] }]));
    expect(lower.status).toBe(204);
    expect((await h.request('GET', '/v1/health', { token: READ })).body.status).toBe('green');
  });

  test('a stale marker (NaN 0x7ff0000000000002) ends the series at once and is no fresh data for its component', async () => {
    await write(v1([{ labels: { __name__: 'rw_lag_seconds', component: 'matching', instance: 'm2' }, samples: [[t0 + 2000, 30]] }]));
    expect((await h.request('GET', '/v1/health', { token: READ })).body.status).toBe('red');
    const seen = h.warden.store.lastSeenForComponent('matching');
    const res = await write(v1([{ labels: { __name__: 'rw_lag_seconds', component: 'matching', instance: 'm2' }, samples: [[t0 + 3000, 'stale']] }]));
    expect(res.status).toBe(204);
    const series = [...h.warden.store.seriesOf('rw_lag_seconds')].find((s) => s.labels.instance === 'm2');
    expect(isStaleMarker(series?.lastValue ?? 0)).toBe(true);
    // The alert's series is gone: it resolves, and the component is not made fresher by the marker.
    expect((await h.request('GET', '/v1/health', { token: READ })).body.status).toBe('green');
    expect(h.warden.store.lastSeenForComponent('matching')).toBe(seen);
  });

  test('a plain NaN is a value, not a stale marker: the series stays selected', async () => {
    expect((await write(v1([{ labels: { __name__: 'rw_nan', instance: 'a' }, samples: [[t0, NaN]] }]))).status).toBe(204);
    const series = [...h.warden.store.seriesOf('rw_nan')];
    expect(series).toHaveLength(1);
    expect(Number.isNaN(series[0]?.lastValue)).toBe(true);
    expect(isStaleMarker(series[0]?.lastValue ?? 0)).toBe(false);
  });

  test('a metadata-only request (Prometheus sends one a minute) is accepted and changes nothing', async () => {
    const before = await state();
    const res = await write(snappy(encodeWriteRequest([], [{ metricFamilyName: 'rw_lag_seconds', type: 2, help: 'lag' }])));
    expect(res.status).toBe(204);
    expect(await state()).toEqual(before);
  });

  test('a retried request (same samples again) is 204 and changes nothing: its samples are already there', async () => {
    const body = v1([{ labels: { __name__: 'rw_retry', instance: 'a' }, samples: [[t0, 1], [t0 + 1000, 2]] }]);
    expect((await write(body)).status).toBe(204);
    const before = await state();
    expect((await write(body)).status).toBe(204);
    expect(await state()).toEqual(before);
  });

  test('series Warden derives itself are dropped and counted; the rest of the request is applied', async () => {
    const res = await write(v1([
      { labels: { __name__: 'warden_series', instance: 'other-warden' }, samples: [[t0, 5]] },
      { labels: { __name__: 'rw_kept', instance: 'a' }, samples: [[t0, 5]] },
    ]));
    expect(res.status).toBe(204);
    expect([...h.warden.store.seriesOf('rw_kept')]).toHaveLength(1);
    expect([...h.warden.store.seriesOf('warden_series')]).toHaveLength(0);
    const metrics = (await h.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^warden_remote_write_dropped_total\{reason="derived_series"\} 1$/m);
  });

  test('native histograms are dropped and counted (Warden keeps float samples only)', async () => {
    const res = await write(v1([{ labels: { __name__: 'rw_histogram', instance: 'a' }, samples: [], histograms: 2 }]));
    expect(res.status).toBe(204);
    expect([...h.warden.store.seriesOf('rw_histogram')]).toHaveLength(0);
    expect((await h.request('GET', '/metrics')).body).toMatch(/^warden_remote_write_dropped_total\{reason="native_histogram"\} 2$/m);
  });

  test('a large request (25,000 series, decoded on the parse worker) is applied whole', async () => {
    const series = Array.from({ length: 25_000 }, (_, i) => ({ labels: { __name__: 'rw_big', instance: `i${i}`, job: 'node' }, samples: [[t0, i]] as SeriesToSend['samples'] }));
    const body = v1(series);
    expect(encodeWriteRequest(series).length).toBeGreaterThan(512 * 1024);
    const res = await write(body);
    expect(res.status).toBe(204);
    expect([...h.warden.store.seriesOf('rw_big')]).toHaveLength(25_000);
  });
});

describe('remote-write 1.0: bad requests get a 4xx and change nothing', () => {
  const good = (name = 'rw_bad_target'): SeriesToSend => ({ labels: { __name__: name, instance: 'a' }, samples: [[t0 + 10_000, 1]] });

  test('without a token 401, with a read-only token 403', async () => {
    await refused(() => postRemoteWrite(h.url, v1([good()]), { headers: V1_HEADERS }), 401, 'unauthorized');
    await refused(() => write(v1([good()]), V1_HEADERS, READ), 403, 'forbidden');
  });

  test('malformed protobuf (snappy of bytes that are no WriteRequest) is 400 malformed_protobuf', async () => {
    await refused(() => write(snappy(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]))), 400, 'malformed_protobuf');
    const truncated = encodeWriteRequest([good()]).subarray(0, 10);
    await refused(() => write(snappy(truncated)), 400, 'malformed_protobuf');
  });

  test('a body that is not snappy (raw protobuf, or garbage) is 400 invalid_snappy', async () => {
    await refused(() => write(encodeWriteRequest([good()])), 400, 'invalid_snappy');
    await refused(() => write(Buffer.alloc(0)), 400, 'invalid_snappy');
  });

  test('another Content-Encoding (gzip) is 415; an absent one means snappy, as Prometheus assumes', async () => {
    await refused(() => write(v1([good()]), { ...V1_HEADERS, 'content-encoding': 'gzip' }), 415, 'unsupported_encoding');
    const res = await write(v1([good('rw_no_encoding_header')]), { ...V1_HEADERS, 'content-encoding': undefined });
    expect(res.status).toBe(204);
  });

  test('a wrong Content-Type (JSON, or an unknown proto=) is 415', async () => {
    await refused(() => write(v1([good()]), { ...V1_HEADERS, 'content-type': 'application/json' }), 415, 'unsupported_media_type');
    await refused(() => write(v1([good()]), { ...V1_HEADERS, 'content-type': 'application/x-protobuf;proto=prometheus.ReadRequest' }), 415, 'unsupported_media_type');
  });

  test('a body over limits.max_body is 413, and so is a small one that decodes to more', async () => {
    const random = Buffer.from(Array.from({ length: 4 * 1024 * 1024 + 10 }, () => Math.floor(Math.random() * 256)));
    await refused(() => write(random), 413, 'payload_too_large');
    const zeros = snappy(Buffer.alloc(5 * 1024 * 1024));
    expect(zeros.length).toBeLessThan(1024 * 1024);
    await refused(() => write(zeros), 413, 'payload_too_large');
  });

  test('invalid label names, a missing __name__, too many labels, a long value or a duplicate label reject the whole request (400)', async () => {
    await refused(() => write(v1([good('rw_alongside'), { labels: { __name__: 'rw_x', 'bad-name': 'v' }, samples: [[t0, 1]] }])), 400, 'invalid_label_name');
    await refused(() => write(v1([good('rw_alongside'), { labels: { __name__: 'rw_x', __reserved: 'v' }, samples: [[t0, 1]] }])), 400, 'invalid_label_name');
    await refused(() => write(v1([good('rw_alongside'), { labels: { instance: 'a' }, samples: [[t0, 1]] }])), 400, 'missing_metric_name');
    await refused(() => write(v1([{ labels: { __name__: '1bad' }, samples: [[t0, 1]] }])), 400, 'invalid_name');
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, 'v']));
    await refused(() => write(v1([{ labels: { __name__: 'rw_x', ...nine }, samples: [[t0, 1]] }])), 400, 'too_many_labels');
    await refused(() => write(v1([{ labels: { __name__: 'rw_x', l: 'v'.repeat(65) }, samples: [[t0, 1]] }])), 400, 'label_value_too_long');
    const dup = snappy(Buffer.from(encodeRaw([['__name__', 'rw_x'], ['a', '1'], ['a', '2']])));
    await refused(() => write(dup), 400, 'duplicate_label');
  });

  test('a timestamp past limits.max_future is 400, the request not applied', async () => {
    await refused(() => write(v1([good('rw_alongside'), { labels: { __name__: 'rw_future' }, samples: [[Date.now() + 3_600_000, 1]] }])), 400, 'timestamp_in_future');
  });

  test('a request that would create series past max_series_per_metric is 422 too_many_series, nothing of it applied', async () => {
    const full = Array.from({ length: 29_999 }, (_, i) => ({ labels: { __name__: 'rw_limited', instance: `i${i}` }, samples: [[t0, 1]] as SeriesToSend['samples'] }));
    expect((await write(v1(full))).status).toBe(204);
    const over = [good('rw_alongside_limit'), { labels: { __name__: 'rw_limited', instance: 'new-1' }, samples: [[t0, 1]] as SeriesToSend['samples'] }, { labels: { __name__: 'rw_limited', instance: 'new-2' }, samples: [[t0, 1]] as SeriesToSend['samples'] }];
    const res = await refused(() => write(v1(over)), 422, 'too_many_series');
    expect(res.text).toContain('rw_limited');
    // Existing series keep updating at the limit.
    expect((await write(v1([{ labels: { __name__: 'rw_limited', instance: 'i1' }, samples: [[t0 + 1000, 2]] }]))).status).toBe(204);
  });
});

describe('remote-write 2.0', () => {
  test('an io.prometheus.write.v2.Request is applied: 204 with the X-Prometheus-Remote-Write-*-Written headers', async () => {
    const res = await write(snappy(encodeWriteRequestV2([
      { labels: { __name__: 'rw2_gauge', instance: 'a', job: 'j' }, samples: [[t0, 1], [t0 + 1000, 2]] },
      { labels: { __name__: 'rw2_gauge', instance: 'b', job: 'j' }, samples: [[t0, 3]] },
    ])), V2_HEADERS);
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('3');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('0');
    expect(res.headers.get('x-prometheus-remote-write-exemplars-written')).toBe('0');
    const series = [...h.warden.store.seriesOf('rw2_gauge')].map((s) => [s.labels, s.lastValue]);
    expect(series).toEqual(expect.arrayContaining([[{ instance: 'a', job: 'j' }, 2], [{ instance: 'b', job: 'j' }, 3]]));
  });

  test('a labels_ref outside the symbols table is 400 with 0 written, nothing applied', async () => {
    const body = WriteRequestV2Type.encode(WriteRequestV2Type.fromObject({ symbols: ['', '__name__', 'rw2_bad'], timeseries: [{ labelsRefs: [1, 2, 7, 2], samples: [{ value: 1, timestamp: t0 }] }] })).finish();
    const res = await refused(() => write(snappy(body), V2_HEADERS), 400, 'invalid_symbol_ref');
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('0');
  });
});

/** A WriteRequest with one series whose labels are given as is (duplicates kept), one sample at t0. */
function encodeRaw(labels: Array<[string, string]>): Uint8Array {
  return WriteRequestType.encode(WriteRequestType.fromObject({ timeseries: [{ labels: labels.map(([name, value]) => ({ name, value })), samples: [{ value: 1, timestamp: t0 }] }] })).finish();
}
