import { parentPort, workerData } from 'node:worker_threads';
import { RequestError, errorMessage } from '../errors';
import { batchTransferList, encodeSamples } from './encoded-batch';
import { DerivedSeries } from './derived-series';
import { PushValidator } from './push-validation';
import type { ParseJob, ParseReply, PushLimits } from './parse-protocol';

/**
 * Worker-thread entry: parses and validates one large push body at a time with the same
 * PushValidator as the main thread, and posts the samples back as an EncodedBatch by transfer.
 * All-or-nothing as before: the reply is either every sample or the first error.
 */
function run(job: ParseJob, validator: PushValidator): { reply: ParseReply; transfer: ArrayBuffer[] } {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength).toString('utf8'));
  } catch (err) {
    return { reply: { id: job.id, ok: false, error: { status: 400, code: 'malformed_json', message: `malformed JSON: ${errorMessage(err)}` } }, transfer: [] };
  }
  try {
    const batch = encodeSamples(validator.validate(body, job.receivedAtMs), job.body.byteLength);
    return { reply: { id: job.id, ok: true, batch }, transfer: batchTransferList(batch) };
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    return { reply: { id: job.id, ok: false, error: { status: err.status, code: err.code, message: err.message, index: err.index, field: err.field } }, transfer: [] };
  }
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as { limits: PushLimits; probed?: string[] };
  const validator = new PushValidator(data.limits, new DerivedSeries(data.probed ?? []));
  port.on('message', (job: ParseJob) => {
    try {
      const { reply, transfer } = run(job, validator);
      port.postMessage(reply, transfer);
    } catch (err) {
      // Not the client's fault (a bug, or out of memory): the main thread answers 503, the client retries.
      port.postMessage({ id: job.id, ok: false, internal: errorMessage(err) } satisfies ParseReply);
    }
  });
}
