import { RequestError } from '../../../src/errors';
import { DerivedSeries } from '../../../src/ingest/derived-series';
import { PushValidator } from '../../../src/ingest/push-validation';

const NOW = 1_700_000_000_000;
const limits = { max_labels: 8, max_label_value_bytes: 256, max_future: 300_000 };
const derived = DerivedSeries.fromComponents([
  { name: 'settlement', critical: true, probe: { url: 'http://x/healthz', interval: 5000, timeout: 3000, failure_threshold: 3, confirm_interval: 250 } },
  { name: 'reporting', critical: false },
]);
const v = new PushValidator(limits, derived);

function rejection(samples: unknown[]): RequestError {
  try {
    v.validate({ samples }, NOW);
  } catch (err) {
    if (err instanceof RequestError) return err;
    throw err;
  }
  throw new Error('the batch was accepted');
}

describe('a push may not write series Warden derives itself (issue 9)', () => {
  it.each([
    [{ name: 'component_up', labels: { component: 'settlement' }, value: 1 }, 'labels.component'],
    [{ name: 'probe_success', labels: { component: 'settlement' }, value: 1 }, 'labels.component'],
    [{ name: 'probe_duration_seconds', labels: { component: 'settlement', extra: 'x' }, value: 0.1 }, 'labels.component'],
    [{ name: 'warden_component_critical', labels: { component: 'settlement' }, value: 0 }, 'name'],
    [{ name: 'warden_anything', value: 0 }, 'name'],
  ])('%j is rejected with 400 derived_series naming the sample', (sample, field) => {
    const e = rejection([{ name: 'fine', value: 1 }, sample]);
    expect({ status: e.status, code: e.code, index: e.index, field: e.field }).toEqual({ status: 400, code: 'derived_series', index: 1, field });
    expect(e.message).toContain(sample.name);
  });

  it("an unprobed component's component_up, and look-alike names, are the exporter's to push", () => {
    const ok = [
      { name: 'component_up', labels: { component: 'reporting' }, value: 0 },
      { name: 'component_up', labels: { component: 'sshd' }, value: 0 },
      { name: 'component_up', labels: { service: 'settlement' }, value: 0 },
      { name: 'my_warden_total', value: 1 },
      { name: 'component_upx', labels: { component: 'settlement' }, value: 1 },
    ];
    expect(v.validate({ samples: ok }, NOW)).toHaveLength(ok.length);
  });

  it('without components, warden_* is still refused', () => {
    expect(() => new PushValidator(limits).validate({ samples: [{ name: 'warden_component_critical', value: 1 }] }, NOW)).toThrow(/Warden's own series/);
  });
});
