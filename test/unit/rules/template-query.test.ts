import { SignalStore } from '../../../src/signals/signal-store';
import { compileTemplate, renderTemplate } from '../../../src/rules/annotation-template';
import { storeQueryFunction } from '../../../src/rules/template-query';

/** `query` in a template reads Warden's own store at the evaluation time, as Prometheus' reads its TSDB. */
describe('template query over the signal store', () => {
  const store = new SignalStore({ windowMs: 3_600_000, maxPointsPerSeries: 1000, stalenessMs: 60_000 });
  store.appendRaw('up', { instance: 'b:9100', job: 'node' }, 1, 10_000);
  store.appendRaw('up', { instance: 'a:9100', job: 'node' }, 0, 10_000);
  store.appendRaw('node_memory_MemTotal_bytes', { instance: 'a:9100' }, 8 * 1024 ** 3, 10_000);
  const render = (text: string, atMs = 20_000) => renderTemplate(compileTemplate(text, { name: 't' }), { instance: 'a:9100' }, 0, { query: storeQueryFunction(store, atMs) });

  it('ranges over a vector with __name__ in the labels', () => {
    expect(render('{{ range query "up" | sortByLabel "instance" }}{{ .Labels.__name__ }}{{ .Labels.instance }}={{ .Value }} {{ end }}')).toBe('upa:9100=0 upb:9100=1 ');
  });

  it('builds a query from the alert labels (template_examples.md "Using console URL parameters")', () => {
    expect(render('{{ with printf "node_memory_MemTotal_bytes{instance=%q}" $labels.instance | query }}{{ . | first | value | humanize1024 }}B{{ end }}')).toBe('8GiB');
  });

  it('returns a scalar as one sample without labels, and nothing for stale data', () => {
    expect(render('{{ query "1.5" | first | value }}')).toBe('1.5');
    expect(render('{{ with query "up" }}{{ len . }}{{ else }}no data{{ end }}', 10 * 60_000)).toBe('no data');
  });

  it('fails the annotation, not the rule, for PromQL Warden cannot evaluate', () => {
    expect(render('{{ query "limitk(1, up)" }}')).toMatch(/^<error expanding template: .*error calling query: invalid query "limitk\(1, up\)": unsupported aggregation "limitk">$/);
  });
});
