import express, { type ErrorRequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { SpanKind } from '@opentelemetry/api';
import type { Authenticator } from '../auth';
import type { EvaluationLoop } from '../../evaluate/evaluation-loop';
import { RequestError } from '../../errors';
import { applyInSlices } from '../../ingest/apply-in-slices';
import { BatchReader } from '../../ingest/encoded-batch';
import type { FanoutPublisher } from '../../ingest/replica-fanout';
import type { OffThreadPushParser } from '../../ingest/off-thread-parser';
import { readRemoteWrite, snappyDecodedLength } from '../../ingest/remote-write/remote-write-decode';
import { remoteWriteVersion, type RemoteWriteVersion } from '../../ingest/remote-write/remote-write-format';
import type { RemoteWriteStats, RemoteWriteValidator } from '../../ingest/remote-write/remote-write-validation';
import { awaitPersisted } from '../await-persisted';
import { contextFromHeaders, inSpan, recordError } from '../../telemetry/trace-context';
import { readRawBody } from '../read-json-body';

export interface RemoteWriteRouteDeps {
  auth: Authenticator;
  loop: Pick<EvaluationLoop, 'ingest' | 'seriesGuard'>;
  validator: RemoteWriteValidator;
  /** limits.max_body: for the compressed body and for what it decodes to. */
  maxBodyBytes: number;
  registry: Registry;
  log: Logger;
  clock?: () => number;
  /** How long a write waits for its effects to reach Redis before answering 503 (as /v1/samples). */
  persistWaitMs?: number;
  /** Why writes cannot be made now (Redis known down and writes waiting), if so: 503 at once. */
  unavailable?: () => string | undefined;
  /** Bodies decoding to more than `aboveBytes` are decoded on the push parse worker and applied in slices. */
  parseInWorker?: { parser: OffThreadPushParser; aboveBytes?: number };
  /** cluster.fanout: accepted samples are also published to the other replicas (never waited for). */
  fanout?: FanoutPublisher;
}

/**
 * Above this decoded size a body goes to the worker. Prometheus' default batch (2,000 samples,
 * max_samples_per_send) decodes to ~200-400 KB and costs a few ms here, less than the hand-off.
 */
export const REMOTE_WRITE_WORKER_ABOVE_BYTES = 512 * 1024;

/** Remote-write 2.0 spec, "Required Written Response Headers". */
const WRITTEN_HEADERS = {
  samples: 'X-Prometheus-Remote-Write-Samples-Written',
  histograms: 'X-Prometheus-Remote-Write-Histograms-Written',
  exemplars: 'X-Prometheus-Remote-Write-Exemplars-Written',
} as const;

interface Applied {
  readonly stats: RemoteWriteStats;
  readonly accepted: number;
  readonly skipped: number;
  readonly persisted: Promise<void>;
}

/**
 * POST /api/v1/write: Prometheus remote-write 1.0 and 2.0 (issue 15 §2). 204 once the samples are
 * applied and their state changes are in Redis; 4xx (never retried by senders) for what a retry
 * cannot fix; 5xx only when one can (Redis not answering, the parse worker lost). Errors are plain
 * text, as Prometheus' receiver answers (senders log the body).
 */
export function remoteWriteRoutes(d: RemoteWriteRouteDeps): Router {
  const router = express.Router();
  const clock = d.clock ?? Date.now;
  const requests = new Counter({ name: 'warden_remote_write_requests_total', help: 'Remote-write requests by protocol version and outcome (accepted, or the error code).', labelNames: ['version', 'outcome'], registers: [d.registry] });
  const dropped = new Counter({ name: 'warden_remote_write_dropped_total', help: 'Parts of accepted remote-write requests Warden does not keep, by reason (derived_series, native_histogram, exemplar).', labelNames: ['reason'], registers: [d.registry] });
  const offThread = d.parseInWorker?.parser;
  const aboveBytes = d.parseInWorker?.aboveBytes ?? REMOTE_WRITE_WORKER_ABOVE_BYTES;

  const apply = async (raw: Buffer, version: RemoteWriteVersion): Promise<Applied> => {
    const now = clock();
    if (!offThread || snappyDecodedLength(raw) <= aboveBytes) {
      const { samples, stats } = readRemoteWrite(raw, version, d.validator, now, d.maxBodyBytes);
      d.loop.seriesGuard.enforce(samples, 'remote_write');
      const result = d.loop.ingest(samples, 'remote_write');
      d.fanout?.publishSamples(samples, 'remote_write');
      return { stats, ...result };
    }
    const { batch, stats } = await offThread.parseRemoteWrite(raw, version, now, d.maxBodyBytes);
    const reader = new BatchReader(batch);
    // The whole request is checked against the series limits before its first slice is applied.
    d.loop.seriesGuard.enforceBatch(reader, 'remote_write');
    d.fanout?.publishBatch(batch, 'remote_write');
    return { stats, ...(await applyInSlices(reader, (samples) => d.loop.ingest(samples, 'remote_write'))) };
  };

  router.post(
    '/api/v1/write',
    d.auth.require('ingest'),
    (req, res, next) => {
      try {
        res.locals.remoteWriteVersion = remoteWriteVersion(req.headers['content-type'], req.headers['content-encoding']);
        next();
      } catch (err) {
        next(err);
      }
    },
    readRawBody(d.maxBodyBytes),
    (req, res, next) => inSpan('ingest.remote_write', { kind: SpanKind.SERVER, parent: contextFromHeaders(req.headers) }, async (span) => {
      const version = res.locals.remoteWriteVersion as RemoteWriteVersion;
      try {
        const result = await apply(req.body as Buffer, version);
        countDropped(dropped, result.stats);
        if (span.isRecording()) span.setAttributes({ 'warden.samples.accepted': result.accepted, 'warden.samples.skipped': result.skipped, 'warden.remote_write.version': version });
        await awaitPersisted(result.persisted, d);
        if (version === 2) setWritten(res, result.accepted + result.skipped);
        requests.inc({ version, outcome: 'accepted' });
        res.status(204).end();
      } catch (err) {
        recordError(span, err);
        next(err);
      }
    }),
  );
  router.use('/api/v1/write', remoteWriteErrors(d.log, requests));
  return router;
}

/**
 * Samples-Written counts the samples now in the store at their timestamp: applied, or skipped
 * because the series already holds a point that new (a retry's), which the sender must not resend.
 * Warden keeps no histograms or exemplars: 0 tells a 2.0 sender so.
 */
function setWritten(res: Response, samples: number): void {
  res.setHeader(WRITTEN_HEADERS.samples, String(samples));
  res.setHeader(WRITTEN_HEADERS.histograms, '0');
  res.setHeader(WRITTEN_HEADERS.exemplars, '0');
}

function countDropped(dropped: Counter<'reason'>, stats: RemoteWriteStats): void {
  if (stats.derivedDropped > 0) dropped.inc({ reason: 'derived_series' }, stats.derivedDropped);
  if (stats.histograms > 0) dropped.inc({ reason: 'native_histogram' }, stats.histograms);
  if (stats.exemplars > 0) dropped.inc({ reason: 'exemplar' }, stats.exemplars);
}

/** Plain-text errors, as Prometheus' receiver writes them (http.Error); 2.0 senders also get the Written headers. */
function remoteWriteErrors(log: Logger, requests: Counter<'version' | 'outcome'>): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const version = (res.locals.remoteWriteVersion as RemoteWriteVersion | undefined) ?? 'unknown';
    let status = 500;
    let code = 'internal';
    let message = 'internal error';
    if (err instanceof RequestError) {
      ({ status, code, message } = err);
    } else {
      log.error({ err }, 'unhandled error in the remote-write handler');
    }
    requests.inc({ version, outcome: code });
    if (version === 2) setWritten(res, 0);
    res.status(status).type('text/plain; charset=utf-8').send(`${code}: ${message}\n`);
  };
}
