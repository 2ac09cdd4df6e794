import type { Sample } from '../signals/sample';

/**
 * A validated push batch in columns of typed arrays, so a worker thread can hand it to the main
 * thread by transfer (no copy) instead of structured clone: cloning 70k sample objects costs the
 * main thread ~150 ms, longer than parsing the JSON there, which is what the worker is for.
 * Each distinct string (name, label name, label value) is stored once: latin1 bytes when every code
 * unit fits, UTF-16LE otherwise (lossless, lone surrogates included). Decoding makes fresh strings,
 * so the series kept in the store retain no buffer of the request.
 */
export interface EncodedBatch {
  readonly count: number;
  readonly text: Uint8Array;
  /** Byte end of string i in `text` (it starts where string i-1 ends). */
  readonly stringEnds: Uint32Array;
  /** 1 when string i is UTF-16LE. */
  readonly wide: Uint8Array;
  /** String index of sample i's name. */
  readonly names: Uint32Array;
  /** End (exclusive) of sample i's [name, value] string-index pairs in `pairs`. */
  readonly labelEnds: Uint32Array;
  readonly pairs: Uint32Array;
  readonly values: Float64Array;
  readonly timestamps: Float64Array;
}

const NOT_LATIN1 = /[^\u0000-\u00ff]/;

/** The buffers to list as transferables when posting `batch`. */
export function batchTransferList(batch: EncodedBatch): ArrayBuffer[] {
  const list = [batch.text, batch.stringEnds, batch.wide, batch.names, batch.labelEnds, batch.pairs, batch.values, batch.timestamps].map((a) => a.buffer as ArrayBuffer);
  return [...new Set(list)];
}

/** Grows by doubling; `used` bytes of `buf` are meaningful. */
class ByteSink {
  buf: Buffer;
  used = 0;
  constructor(initial: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, initial));
  }
  write(s: string, wide: boolean): void {
    const need = wide ? s.length * 2 : s.length;
    if (this.used + need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    this.used += this.buf.write(s, this.used, wide ? 'utf16le' : 'latin1');
  }
}

class U32Sink {
  arr: Uint32Array;
  used = 0;
  constructor(initial: number) {
    this.arr = new Uint32Array(Math.max(16, initial));
  }
  push(v: number): void {
    if (this.used === this.arr.length) {
      const next = new Uint32Array(this.arr.length * 2);
      next.set(this.arr);
      this.arr = next;
    }
    this.arr[this.used++] = v;
  }
  done(): Uint32Array {
    return this.arr.slice(0, this.used);
  }
}

/** `textBytesHint`: about how many bytes the strings take (the body size is a fine guess). */
export function encodeSamples(samples: readonly Sample[], textBytesHint = 1024): EncodedBatch {
  const n = samples.length;
  const ids = new Map<string, number>();
  const text = new ByteSink(textBytesHint);
  const ends = new U32Sink(1024);
  const wideFlags: number[] = [];
  const idOf = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = ends.used;
      const wide = NOT_LATIN1.test(s);
      text.write(s, wide);
      ends.push(text.used);
      wideFlags.push(wide ? 1 : 0);
      ids.set(s, id);
    }
    return id;
  };
  const names = new Uint32Array(n);
  const labelEnds = new Uint32Array(n);
  const pairs = new U32Sink(n * 4);
  const values = new Float64Array(n);
  const timestamps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = samples[i] as Sample;
    names[i] = idOf(s.name);
    values[i] = s.value;
    timestamps[i] = s.timestampMs;
    const labels = s.labels as Record<string, string>;
    for (const key in labels) {
      pairs.push(idOf(key));
      pairs.push(idOf(labels[key] as string));
    }
    labelEnds[i] = pairs.used;
  }
  return { count: n, text: new Uint8Array(text.buf.buffer, text.buf.byteOffset, text.used).slice(), stringEnds: ends.done(), wide: Uint8Array.from(wideFlags), names, labelEnds, pairs: pairs.done(), values, timestamps };
}

/** Turns an EncodedBatch back into samples, a slice at a time (each string decoded once). */
export class BatchReader {
  readonly #b: EncodedBatch;
  readonly #text: Buffer;
  readonly #strings: Array<string | undefined>;

  constructor(batch: EncodedBatch) {
    this.#b = batch;
    this.#text = Buffer.from(batch.text.buffer, batch.text.byteOffset, batch.text.byteLength);
    this.#strings = new Array<string | undefined>(batch.stringEnds.length);
  }

  get count(): number {
    return this.#b.count;
  }

  /** Samples per metric name, from the name column alone (no label decoded): the series limits' quick bound. */
  countsByName(): Map<string, number> {
    const byId = new Map<number, number>();
    const names = this.#b.names;
    for (let i = 0; i < this.#b.count; i++) byId.set(names[i] as number, (byId.get(names[i] as number) ?? 0) + 1);
    const out = new Map<string, number>();
    for (const [id, n] of byId) out.set(this.#string(id), n);
    return out;
  }

  /** Every sample, decoded a slice at a time (for a check of the whole batch that keeps no copy of it). */
  *all(sliceSize = 10_000): Generator<Sample> {
    for (let from = 0; from < this.count; from += sliceSize) yield* this.slice(from, from + sliceSize);
  }

  /** Samples [from, to). */
  slice(from: number, to: number): Sample[] {
    const b = this.#b;
    const end = Math.min(to, b.count);
    const out = new Array<Sample>(Math.max(0, end - from));
    let p = from === 0 ? 0 : (b.labelEnds[from - 1] as number);
    for (let i = from; i < end; i++) {
      const labels: Record<string, string> = {};
      const stop = b.labelEnds[i] as number;
      for (; p < stop; p += 2) labels[this.#string(b.pairs[p] as number)] = this.#string(b.pairs[p + 1] as number);
      out[i - from] = { name: this.#string(b.names[i] as number), labels, value: b.values[i] as number, timestampMs: b.timestamps[i] as number };
    }
    return out;
  }

  #string(id: number): string {
    const cached = this.#strings[id];
    if (cached !== undefined) return cached;
    const start = id === 0 ? 0 : (this.#b.stringEnds[id - 1] as number);
    const s = this.#text.toString(this.#b.wide[id] ? 'utf16le' : 'latin1', start, this.#b.stringEnds[id] as number);
    this.#strings[id] = s;
    return s;
  }
}
