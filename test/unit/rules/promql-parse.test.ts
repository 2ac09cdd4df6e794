import { parsePromql } from '../../../src/rules/promql-parse';
import { PromqlError } from '../../../src/rules/promql-error';

function error(expr: string): PromqlError {
  try {
    parsePromql(expr);
  } catch (err) {
    if (err instanceof PromqlError) return err;
    throw err;
  }
  throw new Error(`expected ${expr} to be rejected`);
}

describe('PromQL subset parser: supported constructs', () => {
  it('parses a selector with all four matcher kinds', () => {
    const e = parsePromql('up{job="api", env!="dev", instance=~"a.*", zone!~"z1|z2"}');
    expect(e).toMatchObject({
      kind: 'vector',
      metricName: 'up',
      matchers: [
        { name: 'job', type: '=', value: 'api' },
        { name: 'env', type: '!=', value: 'dev' },
        { name: 'instance', type: '=~', value: 'a.*' },
        { name: 'zone', type: '!~', value: 'z1|z2' },
      ],
    });
  });

  it('anchors regexes at both ends like Prometheus', () => {
    const e = parsePromql('up{job=~"api"}');
    if (e.kind !== 'vector') throw new Error('not a selector');
    const re = e.matchers[0]?.regex as RegExp;
    expect(re.test('api')).toBe(true);
    expect(re.test('api-2')).toBe(false);
    expect(re.test('my-api')).toBe(false);
  });

  it('takes the metric name from __name__="x"', () => {
    expect(parsePromql('{__name__="up", job="a"}')).toMatchObject({ kind: 'vector', metricName: 'up', matchers: [{ name: 'job' }] });
  });

  it('keeps a __name__ regex as a matcher (no fixed metric name)', () => {
    expect(parsePromql('{__name__=~"up|down"}')).toMatchObject({ kind: 'vector', metricName: undefined });
  });

  it('parses range selectors', () => {
    expect(parsePromql('rate(x[5m])')).toMatchObject({ kind: 'call', func: 'rate', args: [{ kind: 'matrix', rangeMs: 300_000 }] });
    expect(parsePromql('increase(x[1h30m])')).toMatchObject({ args: [{ rangeMs: 5_400_000 }] });
  });

  it('parses number literals, parentheses and unary minus', () => {
    expect(parsePromql('(42)')).toEqual({ kind: 'number', value: 42 });
    expect(parsePromql('-x')).toMatchObject({ kind: 'unary', expr: { kind: 'vector', metricName: 'x' } });
    expect(parsePromql('x > -1')).toMatchObject({ rhs: { kind: 'number', value: -1 } });
    expect(parsePromql('1e3 + 0x10 + 1_000')).toMatchObject({ kind: 'binary' });
  });

  it.each(['==', '!=', '>', '<', '>=', '<='])('parses comparison %s with and without bool', (op) => {
    expect(parsePromql(`x ${op} 1`)).toMatchObject({ kind: 'binary', op, returnBool: false });
    expect(parsePromql(`x ${op} bool 1`)).toMatchObject({ kind: 'binary', op, returnBool: true });
  });

  it.each(['+', '-', '*', '/', '%', '^'])('parses arithmetic %s', (op) => {
    expect(parsePromql(`a ${op} b`)).toMatchObject({ kind: 'binary', op });
  });

  it.each(['and', 'or', 'unless'])('parses set operator %s', (op) => {
    expect(parsePromql(`a ${op} b`)).toMatchObject({ kind: 'binary', op });
  });

  it('parses on(...) and ignoring(...) vector matching', () => {
    expect(parsePromql('a == on(component) b')).toMatchObject({ matching: { on: true, labels: ['component'] } });
    expect(parsePromql('a - ignoring(instance, job) b')).toMatchObject({ matching: { on: false, labels: ['instance', 'job'] } });
    expect(parsePromql('a and on(component) b == 1')).toMatchObject({ op: 'and', rhs: { op: '==' } });
  });

  it('respects precedence: and binds looser than comparison', () => {
    expect(parsePromql('a == 0 and b == 1')).toMatchObject({ op: 'and', lhs: { op: '==' }, rhs: { op: '==' } });
    expect(parsePromql('a + b * c')).toMatchObject({ op: '+', rhs: { op: '*' } });
  });

  it.each(['rate', 'increase', 'delta', 'changes', 'min_over_time', 'max_over_time', 'avg_over_time'])('parses %s over a range', (f) => {
    expect(parsePromql(`${f}(x[5m])`)).toMatchObject({ kind: 'call', func: f });
  });

  it('parses absent over an instant selector', () => {
    expect(parsePromql('absent(up{job="a"})')).toMatchObject({ kind: 'call', func: 'absent', args: [{ kind: 'vector' }] });
  });

  it.each(['sum', 'min', 'max', 'avg', 'count'])('parses aggregation %s with by and without, before or after the body', (op) => {
    expect(parsePromql(`${op} by (a, b) (x)`)).toMatchObject({ kind: 'aggregate', op, without: false, grouping: ['a', 'b'] });
    expect(parsePromql(`${op}(x) without (c)`)).toMatchObject({ kind: 'aggregate', op, without: true, grouping: ['c'] });
    expect(parsePromql(`${op}(x)`)).toMatchObject({ kind: 'aggregate', op, without: false, grouping: [] });
  });
});

describe('PromQL subset parser: offset binds to the operand before it', () => {
  it('puts `offset` in `a - b offset 10m >= 1` on b, as Prometheus does (lezer-promql binds it to a - b)', () => {
    const e = parsePromql('a - b offset 10m >= 1') as any;
    expect(e).toMatchObject({ kind: 'binary', op: '>=', lhs: { kind: 'binary', op: '-', lhs: { metricName: 'a', offsetMs: 0 }, rhs: { metricName: 'b', offsetMs: 600_000 } }, rhs: { kind: 'number', value: 1 } });
  });
});

describe('PromQL subset parser: rejected constructs', () => {
  it.each([
    ['histogram_count(x)', 'unsupported function "histogram_count"'],
    ['mad_over_time(x[5m])', 'unsupported function "mad_over_time"'],
    ['sort_by_label(x, "a")', 'unsupported function "sort_by_label"'],
    ['limitk(3, x)', 'unsupported aggregation "limitk"'],
    ['(x) offset 5m', 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
    ['a - (b) offset 5m', 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
    ['sum(x) @ 100', '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
    ['x offset 1m offset 2m', 'offset may not be set multiple times'],
    ['"text"', 'expression must be an instant vector or scalar, got string'],
    ['a and on(x) group_left b', 'no grouping allowed for "and" operation'],
    ['a * on(x) group_left(x) b', 'label "x" must not occur in ON and GROUP clause at once'],
    ['topk(x, y)', 'expected type scalar in aggregation parameter, got instant vector'],
    ['round(x, 1, 2)', 'expected 1 to 2 argument(s) in call to "round", got 3'],
  ])('%s -> %s', (expr, message) => {
    expect(error(expr).message).toContain(message);
  });

  it('names the position of the unsupported part', () => {
    expect(error('up + histogram_count(x)').offset).toBe(5);
  });

  it.each([
    ['up{', 'syntax error'],
    ['sum(', 'syntax error'],
    ['up ==', 'syntax error'],
    ['1 > 2', 'comparisons between scalars must use BOOL modifier'],
    ['a + bool b', 'bool modifier can only be used on comparison operators'],
    ['1 and x', 'set operator "and" not allowed in binary scalar expression'],
    ['rate(x)', 'expected type range vector in call to function "rate", got instant vector'],
    ['absent(x[5m])', 'expected type instant vector in call to function "absent", got range vector'],
    ['sum(x[5m])', 'expected type instant vector in aggregation expression, got range vector'],
    ['x[5m]', 'expression must be an instant vector or scalar, got range vector'],
    ['x[5m] + 1', 'binary expression must contain only scalar and instant vector types'],
    ['{}', 'vector selector must contain at least one non-empty matcher'],
    ['{job=~".*"}', 'vector selector must contain at least one non-empty matcher'],
    ['up{__name__="x"}', 'metric name must not be set twice'],
    ['up{job=~"("}', 'invalid regular expression'],
    ['rate(x[0s])', 'range must be greater than 0'],
    ['1 + on(a) x', 'vector matching only allowed between instant vectors'],
  ])('%s -> %s', (expr, message) => {
    expect(error(expr).message).toContain(message);
  });

  it('reports where a syntax error is', () => {
    const e = error('up{job="a"} >');
    expect(e.message).toBe('syntax error: unexpected end of input');
    expect(e.offset).toBe(13);
  });
});
