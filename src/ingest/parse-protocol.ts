import type { LimitsConfig } from '../config/schema';
import type { EncodedBatch } from './encoded-batch';

/** The messages between the main thread and the push parse worker (parse-worker.ts). */

export type PushLimits = Pick<LimitsConfig, 'max_labels' | 'max_label_value_bytes' | 'max_future'>;

export interface ParseJob {
  readonly id: number;
  readonly body: Uint8Array;
  readonly receivedAtMs: number;
}

export interface ParseFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly index?: number;
  readonly field?: string;
}

export type ParseReply =
  | { readonly id: number; readonly ok: true; readonly batch: EncodedBatch }
  | { readonly id: number; readonly ok: false; readonly error: ParseFailure }
  | { readonly id: number; readonly ok: false; readonly internal: string };
