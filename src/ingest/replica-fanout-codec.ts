import type { EncodedBatch } from './encoded-batch';

/**
 * One fanned-out batch as one binary stream field: the EncodedBatch's columns back to back, so a
 * 1000-sample push costs one XADD of ~40 KB and no JSON on either side.
 * Layout (little-endian): magic u32, version u8, 3 pad bytes, count u32, then the byte length of
 * each of the 8 columns (u32 each), then the columns in the order below.
 */
const MAGIC = 0x57464f31; // "WFO1"
const VERSION = 1;
const HEADER_BYTES = 4 + 4 + 4 + 8 * 4;

/** Frame that does not decode: from another version, or not written by Warden. */
export class FanoutFrameError extends Error {
  override readonly name = 'FanoutFrameError';
}

type Column = keyof Omit<EncodedBatch, 'count'>;
const COLUMNS: readonly Column[] = ['values', 'timestamps', 'stringEnds', 'names', 'labelEnds', 'pairs', 'text', 'wide'];
/** Bytes per element: 8-byte columns first, so with an 8-aligned header every column stays aligned. */
const WIDTH: Record<Column, number> = { values: 8, timestamps: 8, stringEnds: 4, names: 4, labelEnds: 4, pairs: 4, text: 1, wide: 1 };

export function encodeFrame(batch: EncodedBatch): Buffer {
  const total = HEADER_BYTES + COLUMNS.reduce((n, c) => n + batch[c].byteLength, 0);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt8(VERSION, 4);
  out.fill(0, 5, 8);
  out.writeUInt32LE(batch.count, 8);
  let at = HEADER_BYTES;
  COLUMNS.forEach((c, i) => {
    const col = batch[c];
    out.writeUInt32LE(col.byteLength, 12 + i * 4);
    out.set(new Uint8Array(col.buffer, col.byteOffset, col.byteLength), at);
    at += col.byteLength;
  });
  return out;
}

/**
 * The frame's batch, checked so that a BatchReader over it cannot read out of bounds: the stream
 * is shared state anyone with Redis access can write, so it is read as untrusted input.
 */
export function decodeFrame(frame: Buffer): EncodedBatch {
  if (frame.length < HEADER_BYTES || frame.readUInt32LE(0) !== MAGIC) throw new FanoutFrameError('not a fan-out frame');
  if (frame.readUInt8(4) !== VERSION) throw new FanoutFrameError(`fan-out frame version ${frame.readUInt8(4)}, expected ${VERSION}`);
  const count = frame.readUInt32LE(8);
  // One copy into a fresh buffer: every column is then aligned for its typed-array view.
  const body = new Uint8Array(frame.length - HEADER_BYTES);
  body.set(frame.subarray(HEADER_BYTES));
  const cols: Partial<Record<Column, unknown>> = {};
  let at = 0;
  COLUMNS.forEach((c, i) => {
    const bytes = frame.readUInt32LE(12 + i * 4);
    const w = WIDTH[c];
    if (bytes % w !== 0 || at + bytes > body.byteLength) throw new FanoutFrameError(`column ${c} overruns the frame`);
    const ctor = w === 8 ? Float64Array : w === 4 ? Uint32Array : Uint8Array;
    cols[c] = new ctor(body.buffer, body.byteOffset + at, bytes / w);
    at += bytes;
  });
  if (at !== body.byteLength) throw new FanoutFrameError('trailing bytes after the last column');
  const b = { count, ...cols } as EncodedBatch;
  checkBounds(b);
  return b;
}

function checkBounds(b: EncodedBatch): void {
  const n = b.count;
  if (b.values.length !== n || b.timestamps.length !== n || b.names.length !== n || b.labelEnds.length !== n) throw new FanoutFrameError('column lengths disagree with the sample count');
  const strings = b.stringEnds.length;
  if (b.wide.length !== strings) throw new FanoutFrameError('string flags disagree with the string count');
  let prev = 0;
  for (let i = 0; i < strings; i++) {
    const end = b.stringEnds[i] as number;
    const len = end - prev;
    if (end < prev || end > b.text.length || (b.wide[i] === 1 && len % 2 !== 0)) throw new FanoutFrameError(`string ${i} is out of bounds`);
    prev = end;
  }
  if (b.pairs.length % 2 !== 0) throw new FanoutFrameError('odd label pair column');
  for (let i = 0; i < b.pairs.length; i++) if ((b.pairs[i] as number) >= strings) throw new FanoutFrameError('label refers to a missing string');
  let p = 0;
  for (let i = 0; i < n; i++) {
    if ((b.names[i] as number) >= strings) throw new FanoutFrameError('name refers to a missing string');
    const e = b.labelEnds[i] as number;
    if (e < p || e > b.pairs.length || (e - p) % 2 !== 0) throw new FanoutFrameError(`sample ${i} labels out of bounds`);
    p = e;
  }
}
