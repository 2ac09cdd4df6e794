import { applyTargetLabels, instanceOf } from '../../../src/ingest/target-labels';

const target = { job: 'exchange', instance: '10.0.0.1:9100' };
const apply = (exposed: Record<string, string>, t: Record<string, string> = target) => ({ ...applyTargetLabels(exposed, t) });

describe('target labels on scraped series (Prometheus honor_labels: false)', () => {
  it('adds the target labels to series that have none of them', () => {
    expect(apply({ component: 'database' })).toEqual({ component: 'database', job: 'exchange', instance: '10.0.0.1:9100' });
  });

  it('keeps a clashing exposed label as exported_<name>', () => {
    expect(apply({ job: 'node', instance: 'db-1' })).toEqual({ job: 'exchange', instance: '10.0.0.1:9100', exported_job: 'node', exported_instance: 'db-1' });
  });

  it('prefixes exported_ again when exported_<name> is taken', () => {
    expect(apply({ job: 'a', exported_job: 'b' })).toEqual({ job: 'exchange', instance: '10.0.0.1:9100', exported_job: 'b', exported_exported_job: 'a' });
  });

  it('drops exposed labels with empty values (an empty label is no label)', () => {
    expect(apply({ a: '', job: '' })).toEqual(target);
  });

  it('treats labels named like Object methods as ordinary labels', () => {
    expect(apply({ toString: 'a', constructor: 'b' }, { job: 'j', hasOwnProperty: 'c' })).toEqual({ toString: 'a', constructor: 'b', job: 'j', hasOwnProperty: 'c' });
  });

  it('does not let a label named __proto__ escape', () => {
    const exposed = Object.create(null) as Record<string, string>;
    exposed['__proto__'] = 'x';
    const out = applyTargetLabels(exposed, target);
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'instance', 'job']);
    expect(out['__proto__']).toBe('x');
  });
});

describe('instance label of a scrape URL', () => {
  it.each([
    ['http://127.0.0.1:9100/metrics', '127.0.0.1:9100'],
    ['http://exporter.internal/metrics', 'exporter.internal:80'],
    ['https://exporter.internal/metrics', 'exporter.internal:443'],
    ['http://[::1]:8080/metrics', '[::1]:8080'],
  ])('%s is %s', (url, instance) => {
    expect(instanceOf(url)).toBe(instance);
  });
});
