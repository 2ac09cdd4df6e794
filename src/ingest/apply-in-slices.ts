import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Sample } from '../signals/sample';
import type { BatchReader } from './encoded-batch';

/** What applying one slice returns (EvaluationLoop.ingest's result). */
export interface AppliedSlice {
  readonly accepted: number;
  readonly skipped: number;
  readonly persisted: Promise<void>;
}

/**
 * A slice should take about this long: other requests wait at most about that between slices. The
 * slice size adapts to it (store appends cost ~3 µs a sample, new series ~13 µs, and rules that
 * select the pushed metrics more), between MIN and MAX samples.
 */
const SLICE_TARGET_MS = 6;
const MIN_SLICE = 250;
const MAX_SLICE = 16_000;
const FIRST_SLICE = 1000;

/**
 * Applies a large, already validated batch a slice per event-loop turn, so /healthz and every
 * other request are served between slices instead of after the whole batch (~250 ms for 70k
 * samples). The batch was validated whole first, so it is still all-or-nothing for acceptance;
 * what a reader may see between slices is the state a pusher sending the slices as separate
 * batches would produce, in order. Resolves once every slice is applied; `persisted` resolves
 * when all of their state changes are durable, or rejects with the first failure.
 * `nowMs` only paces the slices (a monotonic clock); it has no effect on what is applied.
 */
export async function applyInSlices(reader: BatchReader, apply: (samples: Sample[]) => AppliedSlice, nowMs: () => number = () => performance.now()): Promise<AppliedSlice> {
  let accepted = 0;
  let skipped = 0;
  let firstFailure: { err: unknown } | undefined;
  const persisted: Array<Promise<void>> = [];
  let size = FIRST_SLICE;
  let worstMsPerSample = 0;
  for (let from = 0; from < reader.count; ) {
    if (from > 0) await nextTurn();
    const t0 = nowMs();
    const r = apply(reader.slice(from, from + size));
    const tookMs = nowMs() - t0;
    from += size;
    accepted += r.accepted;
    skipped += r.skipped;
    // Handled at once: a slice that fails to persist while later slices are applied is no unhandled rejection.
    persisted.push(r.persisted.catch((err: unknown) => void (firstFailure ??= { err })));
    // Decays, so one GC pause inside a slice does not shrink the rest of the batch's slices for good.
    worstMsPerSample = Math.max(tookMs / size, worstMsPerSample * 0.8);
    size = nextSliceSize(worstMsPerSample);
  }
  const all = Promise.all(persisted).then(() => {
    if (firstFailure) throw firstFailure.err;
  });
  return { accepted, skipped, persisted: all };
}

/**
 * Sized by the dearest sample seen so far in this batch, not the last slice's: a batch of updates
 * (~3 µs a sample) that turns into new series (~13 µs) would otherwise overrun a grown slice 4x.
 */
function nextSliceSize(worstMsPerSample: number): number {
  if (worstMsPerSample <= 0) return MAX_SLICE;
  return Math.max(MIN_SLICE, Math.min(MAX_SLICE, Math.floor(SLICE_TARGET_MS / worstMsPerSample)));
}
