import { fingerprint, fnv1a64Hex } from '../../../src/rules/fingerprint';
import { compileTemplate, renderTemplate } from '../../../src/rules/annotation-template';
import { formatGoFloat } from '../../../src/rules/go-float-format';
import { expandSeriesValues } from '../../../src/rules/testing/series-notation';
import { isStaleMarker, STALE_NAN } from '../../../src/rules/stale-marker';

describe('fingerprint (FNV-1a 64 of sorted labels, like Alertmanager)', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });

  it('hashes name, 0xff, value, 0xff for each label in name order', () => {
    const raw = Buffer.concat([Buffer.from('alertname'), Buffer.from([0xff]), Buffer.from('A'), Buffer.from([0xff]), Buffer.from('job'), Buffer.from([0xff]), Buffer.from('x'), Buffer.from([0xff])]);
    let h = 0xcbf29ce484222325n;
    for (const b of raw) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
    expect(fingerprint({ job: 'x', alertname: 'A' })).toBe(h.toString(16).padStart(16, '0'));
  });

  it('is independent of label order and differs when a value differs', () => {
    expect(fingerprint({ a: '1', b: '2' })).toBe(fingerprint({ b: '2', a: '1' }));
    expect(fingerprint({ a: '1' })).not.toBe(fingerprint({ a: '2' }));
    expect(fingerprint({ a: 'é' })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('annotation templates', () => {
  it('substitutes $labels and $value (and .Labels / .Value)', () => {
    const t = compileTemplate('{{ $labels.component }} lag {{ $value }}s ({{ .Labels.job }}, {{.Value}})');
    expect(renderTemplate(t, { component: 'db', job: 'j' }, 12.5)).toBe('db lag 12.5s (j, 12.5)');
  });

  it('renders a missing label as empty, like Prometheus (missingkey=zero)', () => {
    expect(renderTemplate(compileTemplate('[{{ $labels.nope }}]'), {}, 1)).toBe('[]');
  });

  it('rejects unknown functions and named templates at load', () => {
    expect(() => compileTemplate('{{ humanizex $value }}')).toThrow(/function "humanizex" not defined/);
    expect(() => compileTemplate('{{ template "x" }}')).toThrow(/\{\{template\}\} is not supported/);
  });
});

describe('Go-style float formatting of $value', () => {
  it.each([
    [1, '1'], [10, '10'], [10.001, '10.001'], [0.999, '0.999'], [123456, '123456'], [1e6, '1e+06'],
    [1234567, '1.234567e+06'], [0.0001, '0.0001'], [0.00001, '1e-05'], [-2.5, '-2.5'], [Infinity, '+Inf'], [NaN, 'NaN'],
  ])('%p -> %s', (v, s) => expect(formatGoFloat(v)).toBe(s));
});

describe("promtool's expanding series notation", () => {
  it.each([
    ['-2+4x3', [-2, 2, 6, 10]],
    ['1-2x4', [1, -1, -3, -5, -7]],
    ['1x4', [1, 1, 1, 1, 1]],
    ['1 _x3 stale', [1, 'missing', 'missing', 'missing', 'stale']],
    ['0 _ 0.5 1e3', [0, 'missing', 0.5, 1000]],
    ['Inf -Inf', [Infinity, -Infinity]],
  ])('%s', (text, values) => expect(expandSeriesValues(text)).toEqual(values));

  it('rejects nonsense naming the token', () => {
    expect(() => expandSeriesValues('1 2 banana')).toThrow('invalid series value "banana"');
  });
});

describe('staleness marker', () => {
  it('is a NaN told apart from an ordinary NaN', () => {
    expect(Number.isNaN(STALE_NAN)).toBe(true);
    expect(isStaleMarker(STALE_NAN)).toBe(true);
    expect(isStaleMarker(NaN)).toBe(false);
    expect(isStaleMarker(1)).toBe(false);
  });
});

describe('component criticality series', () => {
  it('has the name the evaluation loop publishes', async () => {
    const rules = await import('../../../src/rules/component-critical-metric');
    const loop = await import('../../../src/evaluate/evaluation-loop');
    expect(rules.COMPONENT_CRITICAL_METRIC).toBe(loop.COMPONENT_CRITICAL_METRIC);
  });
});
