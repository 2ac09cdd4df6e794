import { BatchReader, encodeSamples } from '../../../src/ingest/encoded-batch';
import { decodeFrame, encodeFrame, FanoutFrameError } from '../../../src/ingest/replica-fanout-codec';
import type { Sample } from '../../../src/signals/sample';
import { STALE_NAN } from '../../../src/rules/stale-marker';

describe('fan-out frame (one stream field per batch)', () => {
  const samples: Sample[] = [
    { name: 'up', labels: {}, value: 1, timestampMs: 0 },
    { name: 'latency_seconds', labels: { component: 'matching', quantile: '0.99' }, value: -0, timestampMs: 1_764_000_000_123 },
    { name: 'latency_seconds', labels: { component: 'café', region: 'zürich' }, value: 1e-300, timestampMs: Number.MAX_SAFE_INTEGER },
    { name: 'orders_total', labels: { desk: '東京', emoji: '🚀', lone: 'a\ud800b', empty: '' }, value: -123.456, timestampMs: 42 },
    { name: 'up', labels: { component: 'matching' }, value: Infinity, timestampMs: 7 },
  ];

  it('round-trips samples exactly: labels in order, unicode, -0, Infinity and the stale marker bits', () => {
    const withStale: Sample[] = [...samples, { name: 'gone', labels: { a: 'b' }, value: STALE_NAN, timestampMs: 9 }];
    const frame = encodeFrame(encodeSamples(withStale));
    // Copied into an odd offset, as a Buffer out of a socket may be: decoding must not need alignment.
    const shifted = Buffer.alloc(frame.length + 1);
    frame.copy(shifted, 1);
    const back = new BatchReader(decodeFrame(shifted.subarray(1))).slice(0, withStale.length);
    expect(back.slice(0, samples.length)).toEqual(samples);
    expect(back.map((s) => Object.keys(s.labels))).toEqual(withStale.map((s) => Object.keys(s.labels)));
    expect(Object.is(back[1]?.value, -0)).toBe(true);
    const bits = (v: number) => Buffer.from(new Float64Array([v]).buffer).toString('hex');
    expect(bits(back[5]?.value as number)).toBe(bits(STALE_NAN));
  });

  it('is compact: a 1000-sample push of 10 series labels is a few tens of KB', () => {
    const big: Sample[] = Array.from({ length: 1000 }, (_, i) => ({ name: 'request_latency_seconds', labels: { component: `c${i % 10}`, instance: `10.0.0.${i % 250}:9100` }, value: i, timestampMs: 1_764_000_000_000 + i }));
    const frame = encodeFrame(encodeSamples(big));
    expect(frame.length).toBeLessThan(48 * 1024);
    expect(new BatchReader(decodeFrame(frame)).slice(0, 1000)).toEqual(big);
  });

  it('an empty batch round-trips', () => {
    expect(decodeFrame(encodeFrame(encodeSamples([]))).count).toBe(0);
  });

  it('refuses frames that are not its own or would read out of bounds (the stream is untrusted input)', () => {
    const good = encodeFrame(encodeSamples(samples));
    expect(() => decodeFrame(Buffer.from('hello'))).toThrow(FanoutFrameError);
    expect(() => decodeFrame(good.subarray(0, good.length - 1))).toThrow(FanoutFrameError);
    const version = Buffer.from(good);
    version.writeUInt8(9, 4);
    expect(() => decodeFrame(version)).toThrow(/version 9/);
    const count = Buffer.from(good);
    count.writeUInt32LE(samples.length + 1, 8);
    expect(() => decodeFrame(count)).toThrow(FanoutFrameError);
    // A label pointing past the string table: every u32 in the pairs column set to a huge index.
    const batch = encodeSamples(samples);
    batch.pairs.fill(0xffff);
    expect(() => decodeFrame(encodeFrame(batch))).toThrow(/missing string/);
    const ends = encodeSamples(samples);
    ends.stringEnds[0] = 1_000_000;
    expect(() => decodeFrame(encodeFrame(ends))).toThrow(/out of bounds/);
  });
});
