import express, { type Router } from 'express';
import { Counter, type Registry } from 'prom-client';
import type { Authenticator } from '../auth';
import type { EvaluationLoop } from '../../evaluate/evaluation-loop';
import type { PushValidator } from '../../ingest/push-validation';
import { RequestError } from '../../errors';
import { awaitPersisted } from '../await-persisted';
import { parseJsonBody, readRawBody } from '../read-json-body';
import { BatchReader } from '../../ingest/encoded-batch';
import type { OffThreadPushParser } from '../../ingest/off-thread-parser';
import { applyInSlices } from '../../ingest/apply-in-slices';
import type { FanoutPublisher } from '../../ingest/replica-fanout';
import type { Logger } from 'pino';
import { SpanKind } from '@opentelemetry/api';
import { contextFromHeaders, inSpan, recordError } from '../../telemetry/trace-context';

export interface IngestRouteDeps {
  auth: Authenticator;
  loop: Pick<EvaluationLoop, 'ingest' | 'seriesGuard'>;
  validator: PushValidator;
  maxBodyBytes: number;
  registry: Registry;
  log: Logger;
  clock?: () => number;
  /** How long a push waits for its effects to reach Redis before answering 503 (issue 9: <= 2 s). */
  persistWaitMs?: number;
  /** Why writes cannot be made now (Redis known down and writes waiting), if so: the push answers 503 at once. */
  unavailable?: () => string | undefined;
  /**
   * Bodies over `aboveBytes` (default 256 KiB) are parsed and validated by `parser` on a worker
   * thread (with the limits of `validator`) and applied in slices; without it every body is parsed here.
   */
  parseInWorker?: { parser: OffThreadPushParser; aboveBytes?: number };
  /** cluster.fanout: an accepted push is also published to the other replicas (never waited for). */
  fanout?: FanoutPublisher;
}

/**
 * Above this a body goes to the worker. A 1000-sample batch (~110 KB, the common case and the
 * ingest benchmark's) stays on the main thread, where it costs ~1.5 ms, less than the hand-off.
 */
export const WORKER_PARSE_ABOVE_BYTES = 256 * 1024;

/** POST /v1/samples: validate the whole batch, then apply it; respond once its effects are durable. */
export function ingestRoutes(deps: IngestRouteDeps): Router {
  const router = express.Router();
  const clock = deps.clock ?? Date.now;
  const rejected = new Counter({ name: 'warden_samples_rejected_total', help: 'Push requests rejected, by reason (the whole batch is rejected).', labelNames: ['reason'], registers: [deps.registry] });
  const readBody = readRawBody(deps.maxBodyBytes);
  const offThread = deps.parseInWorker?.parser;
  const aboveBytes = deps.parseInWorker?.aboveBytes ?? WORKER_PARSE_ABOVE_BYTES;
  /** Validates the whole batch, then applies it: here for small bodies, off-thread and sliced for large. */
  const apply = async (raw: Buffer) => {
    if (!offThread || raw.length <= aboveBytes) {
      const samples = deps.validator.validate(parseJsonBody(raw), clock());
      // A push past a series limit is rejected whole (422) before anything is applied or published.
      deps.loop.seriesGuard.enforce(samples, 'push');
      const result = deps.loop.ingest(samples, 'push');
      deps.fanout?.publishSamples(samples, 'push');
      return result;
    }
    const batch = await offThread.parse(raw, clock());
    const reader = new BatchReader(batch);
    // The whole push is checked against the series limits before its first slice: a 422 applies nothing.
    deps.loop.seriesGuard.enforceBatch(reader, 'push');
    deps.fanout?.publishBatch(batch, 'push');
    return applyInSlices(reader, (samples) => deps.loop.ingest(samples, 'push'));
  };

  router.post(
    '/v1/samples',
    deps.auth.require('ingest'),
    (req, _res, next) => {
      if (!req.is('application/json')) {
        return next(new RequestError(415, 'unsupported_media_type', 'Content-Type must be application/json'));
      }
      next();
    },
    readBody,
    (req, res, next) => inSpan('ingest.push', { kind: SpanKind.SERVER, parent: contextFromHeaders(req.headers) }, async (span) => {
      try {
        const result = await apply(req.body as Buffer);
        if (span.isRecording()) span.setAttributes({ 'warden.samples.accepted': result.accepted, 'warden.samples.skipped': result.skipped });
        await awaitPersisted(result.persisted, deps);
        res.json({ accepted: result.accepted, skipped: result.skipped });
      } catch (err) {
        recordError(span, err);
        next(err);
      }
    }),
  );
  // Count rejections here, after the error is known, whichever stage raised it.
  router.use('/v1/samples', (err: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => {
    const e = err as { code?: string; type?: string };
    const reason = err instanceof RequestError ? err.code : e.type === 'entity.too.large' ? 'payload_too_large' : e.type === 'entity.parse.failed' ? 'malformed_json' : 'other';
    rejected.inc({ reason });
    next(err);
  });
  return router;
}
