import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One received span, flattened: ids as lowercase hex, attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind number (1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP status code (0 unset, 1 ok, 2 error) and message. */
  status: { code: number; message?: string };
  serviceName: string;
  resource: Record<string, string | number | boolean>;
  startTimeUnixNano: string;
}

type ReceiverMode = 'ok' | 'http-503';

/**
 * A local OTLP/HTTP traces receiver (POST /v1/traces) on an ephemeral port. It decodes both
 * encodings an OTLP exporter sends: `application/json` (OTLP's JSON mapping, ids in hex) and
 * `application/x-protobuf` (decoded with the protobuf definitions @opentelemetry/otlp-transformer
 * ships, the same ones the exporter encodes with), gzip or not, and answers like a collector.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes: string[] = [];
  readonly headers: Array<Record<string, string | string[] | undefined>> = [];
  mode: ReceiverMode = 'ok';
  requests = 0;
  readonly #server: Server;

  private constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(): Promise<OtlpReceiver> {
    const r = new OtlpReceiver();
    await new Promise<void>((resolve) => r.#server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  /** The base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); traces go to `${endpoint}/v1/traces`. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  byName(name: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.name === name);
  }

  async waitFor(pred: (spans: readonly ReceivedSpan[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.spans)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received: ${this.spans.map((s) => s.name).join(', ') || 'nothing'}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    if (req.method !== 'POST' || req.url !== '/v1/traces') return reply(res, 404, 'application/json', '{}');
    if (this.mode === 'http-503') return reply(res, 503, 'application/json', '{"code":14,"message":"unavailable"}');
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    this.contentTypes.push(type);
    this.headers.push(req.headers);
    try {
      if (type === 'application/json') this.spans.push(...flatten(JSON.parse(body.toString('utf8')), hexFromJson));
      else if (type === 'application/x-protobuf') this.spans.push(...flatten(decodeProtobuf(body), hexFromBytes));
      else return reply(res, 415, 'application/json', '{}');
    } catch (err) {
      return reply(res, 400, 'application/json', JSON.stringify({ message: String(err) }));
    }
    // An empty ExportTraceServiceResponse means "all accepted" in either encoding.
    reply(res, 200, type, type === 'application/json' ? '{}' : Buffer.alloc(0));
  }
}

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function decodeProtobuf(body: Buffer): unknown {
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as any;
  const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  return Request.toObject(Request.decode(body), { longs: String, enums: Number, bytes: Buffer, defaults: false });
}

const hexFromJson = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');
const hexFromBytes = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('hex') : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : '');

function flatten(req: any, hex: (v: unknown) => string): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name,
          kind: Number(s.kind ?? 0),
          attributes: attributes(s.attributes),
          status: { code: Number(s.status?.code ?? 0), ...(s.status?.message ? { message: s.status.message } : {}) },
          serviceName: String(resource['service.name'] ?? ''),
          resource,
          startTimeUnixNano: String(s.startTimeUnixNano),
        });
      }
    }
  }
  return out;
}

function attributes(list: any[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    if (v.stringValue !== undefined) out[kv.key] = v.stringValue;
    else if (v.boolValue !== undefined) out[kv.key] = v.boolValue;
    else if (v.intValue !== undefined) out[kv.key] = Number(v.intValue);
    else if (v.doubleValue !== undefined) out[kv.key] = v.doubleValue;
  }
  return out;
}
