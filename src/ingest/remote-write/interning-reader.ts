import protobuf from 'protobufjs';

/** Strings up to this many bytes are interned: label names and values, almost all short. */
const MAX_INTERNED_BYTES = 32;
/** Direct-mapped slots (a power of two): a collision just replaces the slot. ~2 MiB of key bytes. */
const SLOTS = 1 << 16;

const keyBytes = new Uint8Array(SLOTS * MAX_INTERNED_BYTES);
const keyLengths = new Int16Array(SLOTS).fill(-1);
const strings = new Array<string | undefined>(SLOTS);

type Utf8Buffer = Buffer & { utf8Slice?(start: number, end: number): string };

/**
 * protobufjs' Buffer reader with one change: a short string whose bytes it has decoded before is
 * returned from a fixed-size cache instead of being decoded again. Remote-write repeats the same
 * label names and values in every request (each series carries its labels as strings, ~8 per
 * sample), and decoding them is most of protobufjs' decode time: this saves about 40% of it and
 * hands the store strings it already holds. The wire format is still read by protobufjs (varints,
 * lengths, bounds); only where a string's text comes from changes. The cache is bounded (direct
 * mapped, 64 Ki slots of at most 32 bytes) and keyed by the exact bytes, so it cannot return a
 * wrong string, only miss.
 */
export class InterningReader extends protobuf.BufferReader {
  override string(): string {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${len} > ${this.len}`);
    this.pos = end;
    const buf = this.buf as Utf8Buffer;
    if (len > MAX_INTERNED_BYTES) return decode(buf, start, end);
    let h = 2166136261; // FNV-1a
    for (let i = start; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 16777619);
    const slot = (h ^ len) & (SLOTS - 1);
    if (keyLengths[slot] === len && sameBytes(buf, start, len, slot * MAX_INTERNED_BYTES)) return strings[slot] as string;
    const s = decode(buf, start, end);
    keyBytes.set(buf.subarray(start, end), slot * MAX_INTERNED_BYTES);
    keyLengths[slot] = len;
    strings[slot] = s;
    return s;
  }
}

function sameBytes(buf: Uint8Array, start: number, len: number, at: number): boolean {
  for (let i = 0; i < len; i++) if (keyBytes[at + i] !== buf[start + i]) return false;
  return true;
}

/** As protobufjs' BufferReader decodes a string (utf8Slice when the Buffer has it). */
function decode(buf: Utf8Buffer, start: number, end: number): string {
  return buf.utf8Slice ? buf.utf8Slice(start, end) : buf.toString('utf8', start, end);
}
