import { request } from 'node:http';
import { compressSync } from 'snappy';
import { WriteRequestType, WriteRequestV2Type } from '../../src/ingest/remote-write/prompb';
import { STALE_NAN } from '../../src/rules/stale-marker';

/**
 * One series as a sender has it: labels including __name__, samples [timestampMs, value]. A stale
 * marker is written 'stale': V8 canonicalises the NaN payload of a double stored in an array like
 * [t, STALE_NAN], so the marker is put into the message object directly.
 */
export interface SeriesToSend {
  labels: Record<string, string>;
  samples: Array<[number, number | 'stale']>;
  histograms?: number;
}

/** A remote-write 1.0 body: prometheus.WriteRequest, protobuf-encoded (protobufjs), not yet compressed. */
export function encodeWriteRequest(series: readonly SeriesToSend[], metadata: ReadonlyArray<{ metricFamilyName: string; type: number; help?: string }> = []): Buffer {
  const message = WriteRequestType.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, value]) => ({ name, value })),
      samples: s.samples.map(([timestamp, value]) => ({ timestamp, value: value === 'stale' ? STALE_NAN : value })),
      histograms: Array.from({ length: s.histograms ?? 0 }, (_, i) => ({ countInt: 1, sum: 1, schema: 0, timestamp: s.samples[0]?.[0] ?? i })),
    })),
    metadata,
  });
  return Buffer.from(WriteRequestType.encode(message).finish());
}

/** A remote-write 2.0 body: io.prometheus.write.v2.Request with its symbols table ("" first, as the spec asks). */
export function encodeWriteRequestV2(series: readonly SeriesToSend[]): Buffer {
  const symbols = [''];
  const ref = (s: string) => {
    let i = symbols.indexOf(s);
    if (i < 0) i = symbols.push(s) - 1;
    return i;
  };
  const timeseries = series.map((s) => ({
    labelsRefs: Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)).flatMap(([n, v]) => [ref(n), ref(v)]),
    samples: s.samples.map(([timestamp, value]) => ({ timestamp, value: value === 'stale' ? STALE_NAN : value })),
  }));
  return Buffer.from(WriteRequestV2Type.encode(WriteRequestV2Type.fromObject({ symbols, timeseries })).finish());
}

export const snappy = (raw: Uint8Array): Buffer => compressSync(raw);

export const V1_HEADERS = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
export const V2_HEADERS = { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '2.0.0' };

/**
 * POSTs a body to /api/v1/write on a connection of its own (no keep-alive: a reused socket the
 * server is closing resets a POST on a loaded machine); resolves with status, headers and body.
 */
export function postRemoteWrite(baseUrl: string, body: Uint8Array, opts: { token?: string; headers?: Record<string, string | undefined> } = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = { 'content-length': String(body.length) };
  for (const [k, v] of Object.entries(opts.headers ?? V1_HEADERS)) if (v !== undefined) headers[k] = v;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const url = new URL('/api/v1/write', baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: h });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
