import { parentPort, workerData } from 'node:worker_threads';
import { RequestError, errorMessage } from '../errors';
import { batchTransferList, encodeSamples } from './encoded-batch';
import { DerivedSeries } from './derived-series';
import { PushValidator } from './push-validation';
import type { ParseJob, ParseReply, PushLimits } from './parse-protocol';
import { readRemoteWrite } from './remote-write/remote-write-decode';
import { RemoteWriteValidator } from './remote-write/remote-write-validation';

/**
 * Worker-thread entry: parses and validates one large push body at a time with the same
 * PushValidator as the main thread, and posts the samples back as an EncodedBatch by transfer.
 * All-or-nothing as before: the reply is either every sample or the first error.
 */
function run(job: ParseJob, validator: PushValidator, remoteWrite: RemoteWriteValidator): { reply: ParseReply; transfer: ArrayBuffer[] } {
  if (job.format?.kind === 'remote_write') return runRemoteWrite(job, job.format, remoteWrite);
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
    return refused(job, err);
  }
}

/** Remote-write (issue 15 §2): decompress, decode and validate here, hand back the samples by transfer. */
function runRemoteWrite(job: ParseJob, format: { version: 1 | 2; maxDecodedBytes: number }, validator: RemoteWriteValidator): { reply: ParseReply; transfer: ArrayBuffer[] } {
  try {
    const { samples, stats } = readRemoteWrite(job.body, format.version, validator, job.receivedAtMs, format.maxDecodedBytes);
    const batch = encodeSamples(samples, job.body.byteLength * 2);
    return { reply: { id: job.id, ok: true, batch, stats }, transfer: batchTransferList(batch) };
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    return refused(job, err);
  }
}

function refused(job: ParseJob, err: RequestError): { reply: ParseReply; transfer: ArrayBuffer[] } {
  return { reply: { id: job.id, ok: false, error: { status: err.status, code: err.code, message: err.message, index: err.index, field: err.field } }, transfer: [] };
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as { limits: PushLimits; probed?: string[] };
  const derived = new DerivedSeries(data.probed ?? []);
  const validator = new PushValidator(data.limits, derived);
  const remoteWrite = new RemoteWriteValidator(data.limits, derived);
  port.on('message', (job: ParseJob) => {
    try {
      const { reply, transfer } = run(job, validator, remoteWrite);
      port.postMessage(reply, transfer);
    } catch (err) {
      // Not the client's fault (a bug, or out of memory): the main thread answers 503, the client retries.
      port.postMessage({ id: job.id, ok: false, internal: errorMessage(err) } satisfies ParseReply);
    }
  });
}
