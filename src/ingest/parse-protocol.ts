import type { LimitsConfig } from '../config/schema';
import type { EncodedBatch } from './encoded-batch';
import type { RemoteWriteStats } from './remote-write/remote-write-validation';

/** The messages between the main thread and the push parse worker (parse-worker.ts). */

export type PushLimits = Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes' | 'max_future'>;

/** A JSON push body, or a remote-write body (snappy protobuf, issue 15 §2) of the given version. */
export type ParseFormat = { readonly kind: 'json' } | { readonly kind: 'remote_write'; readonly version: 1 | 2; readonly maxDecodedBytes: number };

export interface ParseJob {
  readonly id: number;
  readonly body: Uint8Array;
  readonly receivedAtMs: number;
  /** @defaultValue json */
  readonly format?: ParseFormat;
}

export interface ParseFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly index?: number;
  readonly field?: string;
}

export type ParseReply =
  | { readonly id: number; readonly ok: true; readonly batch: EncodedBatch; readonly stats?: RemoteWriteStats }
  | { readonly id: number; readonly ok: false; readonly error: ParseFailure }
  | { readonly id: number; readonly ok: false; readonly internal: string };
