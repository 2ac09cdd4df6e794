import type { Expr, VectorSelector } from '../../../src/rules/promql-ast';
import { parsePromql } from '../../../src/rules/promql-parse';
import { remediationRuleSchema } from '../../../src/rules/remediation-rule-schema';
import { promqlVerifyCheck } from '../../../src/remediate/promql-verify-check';
import { compileVerifyTemplate, instantiateVerify, type VerifyTemplate } from '../../../src/rules/verify-template';
import { SignalStore } from '../../../src/signals/signal-store';

const INJECTION = 'zz"} == 1 or component_up{component=~".+';

function compile(text: string): VerifyTemplate {
  const t = compileVerifyTemplate(text);
  if (typeof t === 'string') throw new Error(t);
  return t;
}

/** The trees compared as JSON (regexes by source). */
const json = (e: Expr) => JSON.stringify(e, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));

describe('verify.expr: label values become matcher values in the parsed tree, never PromQL text', () => {
  it('fills a placeholder into the matcher value; the tree is the one PromQL gives for that literal', () => {
    const q = instantiateVerify(compile('component_up{component="{{ $labels.component }}"} == 1'), { component: 'market-data' });
    expect(json(q!.expr)).toBe(json(parsePromql('component_up{component="market-data"} == 1')));
    expect(q!.text).toBe('component_up{component="market-data"} == 1');
  });

  it('the injection string stays one literal value: same shape as the template, no `or`', () => {
    const t = compile('component_up{component="{{ $labels.component }}"} == 1');
    const q = instantiateVerify(t, { component: INJECTION })!;
    expect(q.expr.kind).toBe('binary');
    const lhs = (q.expr as Extract<Expr, { kind: 'binary' }>).lhs as VectorSelector;
    expect(q.expr).toMatchObject({ op: '==', rhs: { kind: 'number', value: 1 } });
    expect(lhs).toEqual({ kind: 'vector', metricName: 'component_up', matchers: [{ name: 'component', type: '=', value: INJECTION }], offsetMs: 0 });
    // The display text is PromQL whose parse is exactly this tree.
    expect(json(parsePromql(q.text))).toBe(json(q.expr));
  });

  it('the injected query matches nothing, so it does not hold while the target is down', () => {
    const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 100, stalenessMs: 60_000 });
    const now = Date.now();
    store.appendRaw('component_up', { component: 'settlement' }, 1, now);
    store.appendRaw('component_up', { component: 'zz' }, 0, now);
    const check = promqlVerifyCheck(store, () => now);
    const t = compile('component_up{component="{{ $labels.component }}"} == 1');
    expect(check(instantiateVerify(t, { component: INJECTION })!)).toBe(false);
    expect(check(instantiateVerify(t, { component: 'settlement' })!)).toBe(true);
  });

  it('a value with $& and backslashes is taken literally', () => {
    const q = instantiateVerify(compile('x{a="pre-{{ $labels.a }}-post", b!="{{ $labels.b }}"}'), { a: '$&\\n', b: "'" })!;
    expect((q.expr as VectorSelector).matchers).toEqual([
      { name: 'a', type: '=', value: 'pre-$&\\n-post' },
      { name: 'b', type: '!=', value: "'" },
    ]);
    expect(json(parsePromql(q.text))).toBe(json(q.expr));
  });

  it('a missing or empty label gives no query (never a guessed one)', () => {
    const t = compile('x{a="{{ $labels.a }}"} == 1');
    expect(instantiateVerify(t, {})).toBeUndefined();
    expect(instantiateVerify(t, { a: '' })).toBeUndefined();
  });

  it.each([
    ['a placeholder outside quotes', 'component_up{component={{ $labels.component }}} == 1', 'may only stand inside the quoted value'],
    ['a placeholder pasted as an operand', 'component_up == {{ $labels.value }}', 'may only stand inside the quoted value'],
    ['a placeholder as the metric name', '{__name__="{{ $labels.metric }}"} == 1', 'must not name the metric'],
    ['a placeholder as a quoted label name', '{"{{ $labels.l }}"="x", a="b"} == 1', 'must not be a label name'],
    ['a placeholder in a regex matcher', 'component_up{component=~"{{ $labels.component }}"} == 1', 'regex matcher'],
    ['PromQL that does not parse', 'component_up{component="{{ $labels.component }}" == 1', 'verify.expr is not valid PromQL'],
  ])('rejects %s at load', (_what, expr, message) => {
    const r = remediationRuleSchema.safeParse({ name: 'r', on: { alert: 'X' }, action: 'restart', target: 't', verify: { expr, within: '1m' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });
});
