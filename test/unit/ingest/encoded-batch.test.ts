import { BatchReader, encodeSamples } from '../../../src/ingest/encoded-batch';
import type { Sample } from '../../../src/signals/sample';

describe('EncodedBatch (how a worker hands validated samples to the main thread)', () => {
  const samples: Sample[] = [
    { name: 'up', labels: {}, value: 1, timestampMs: 0 },
    { name: 'latency_seconds', labels: { component: 'matching', quantile: '0.99' }, value: -0, timestampMs: 1_764_000_000_123 },
    { name: 'latency_seconds', labels: { component: 'café', region: 'zürich' }, value: 1e-300, timestampMs: Number.MAX_SAFE_INTEGER },
    { name: 'orders_total', labels: { desk: '東京', emoji: '🚀', lone: 'a\ud800b', empty: '' }, value: -123.456, timestampMs: 42 },
    { name: 'up', labels: { component: 'matching' }, value: 0, timestampMs: 7 },
  ];

  it('decodes to exactly the samples encoded, label order kept, unicode and lone surrogates intact', () => {
    const reader = new BatchReader(encodeSamples(samples, 16));
    expect(reader.count).toBe(samples.length);
    const back = reader.slice(0, samples.length);
    expect(back).toEqual(samples);
    expect(back.map((s) => Object.keys(s.labels))).toEqual(samples.map((s) => Object.keys(s.labels)));
    expect(Object.is(back[1]?.value, -0)).toBe(true);
  });

  it('reads in any slices, with the same result as all at once', () => {
    const reader = new BatchReader(encodeSamples(samples));
    expect([...reader.slice(0, 2), ...reader.slice(2, 3), ...reader.slice(3, 99)]).toEqual(samples);
    expect(reader.slice(5, 10)).toEqual([]);
  });

  it('stores each distinct string once and grows past its first guess (m, instance, zone, z and 5000 instances)', () => {
    const many: Sample[] = Array.from({ length: 5000 }, (_, i) => ({ name: 'm', labels: { instance: `i-${i}-${'x'.repeat(i % 50)}`, zone: 'z' }, value: i, timestampMs: i }));
    const batch = encodeSamples(many, 1);
    expect(batch.stringEnds.length).toBe(5000 + 4);
    expect(new BatchReader(batch).slice(0, 5000)).toEqual(many);
  });
});

describe('BatchReader.countsByName (the series limits\' quick bound for a large batch)', () => {
  it('counts samples per metric name from the name column, unicode names included', () => {
    const s = (name: string, pod: string): Sample => ({ name, labels: { pod }, value: 1, timestampMs: 1 });
    const reader = new BatchReader(encodeSamples([s('a', '1'), s('b', '1'), s('a', '2'), s('ünï', '1'), s('a', '1')]));
    expect(Object.fromEntries(reader.countsByName())).toEqual({ a: 3, b: 1, 'ünï': 1 });
    expect([...reader.all(2)].map((x) => x.name)).toEqual(['a', 'b', 'a', 'ünï', 'a']);
  });
});
