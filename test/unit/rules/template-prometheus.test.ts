import { compileTemplate, renderTemplate, type QuerySample } from '../../../src/rules/annotation-template';

/**
 * Expected outputs from Prometheus' own template tests (template/template_test.go, TestTemplateExpansion),
 * with `{{ range . }}` over Go slices written as literals. Prometheus prefixes every alert template
 * with its 112-character variable definitions, so columns on line 1 are 112 more than in that test.
 */
const render = (text: string, opts: { labels?: Record<string, string>; value?: number; query?: readonly QuerySample[] } = {}) =>
  renderTemplate(compileTemplate(text, { name: 'test' }), opts.labels ?? {}, opts.value ?? 0, { query: () => opts.query ?? [], externalURL: 'http://testhost:9090/path/prefix' });
const execError = (col: number, at: string, msg: string) => `<error expanding template: error executing template test: template: test:1:${col + 112}: executing "test" at <${at}>: ${msg}>`;

describe('Prometheus template expansion (template_test.go)', () => {
  it.each([
    ['plain text', 'plain text'],
    ['{{ 1 }}', '1'],
    ['{{ "<b>" }}', '<b>'],
    ['{{ "<b>" | safeHtml }}', '<b>'],
    ['{{ reReplaceAll "(a)b" "x$1" "ab" }}', 'xa'],
    ['{{ humanize 0.0 }}:{{ humanize 1.0 }}:{{ humanize 1234567.0 }}:{{ humanize .12 }}:', '0:1:1.235M:120m:'],
    ['{{ humanize "0.0" }}:{{ humanize "1.0" }}:{{ humanize "1234567.0" }}:{{ humanize ".12" }}:', '0:1:1.235M:120m:'],
    ['{{ humanize 0 }}:{{ humanize -1 }}:{{ humanize 1 }}:{{ humanize 1234567 }}:{{ humanize 9223372036854775807 }}:', '0:-1:1:1.235M:9.223E:'],
    ['{{ humanize1024 0.0 }}:{{ humanize1024 1.0 }}:{{ humanize1024 1048576.0 }}:{{ humanize1024 .12 }}:', '0:1:1Mi:0.12:'],
    ['{{ humanize1024 0 }}:{{ humanize1024 -1 }}:{{ humanize1024 1 }}:{{ humanize1024 1234567 }}:{{ humanize1024 9223372036854775807 }}:', '0:-1:1:1.177Mi:8Ei:'],
    [
      '{{ humanizeDuration 0.0 }}:{{ humanizeDuration 1.0 }}:{{ humanizeDuration 60.0 }}:{{ humanizeDuration 3600.0 }}:{{ humanizeDuration 86400.0 }}:{{ humanizeDuration 90000.0 }}:{{ humanizeDuration -183845.0 }}:{{ humanizeDuration 899.99 }}:',
      '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:',
    ],
    ['{{ humanizeDuration "0" }}:{{ humanizeDuration "1" }}:{{ humanizeDuration "60" }}:{{ humanizeDuration "3600" }}:{{ humanizeDuration "86400" }}:', '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:'],
    [
      '{{ humanizeDuration .1 }}:{{ humanizeDuration .0001 }}:{{ humanizeDuration .12345 }}:{{ humanizeDuration 60.1 }}:{{ humanizeDuration 60.5 }}:{{ humanizeDuration 1.2345 }}:{{ humanizeDuration 12.345 }}:',
      '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
    ],
    ['{{ humanizeDuration 0 }}:{{ humanizeDuration -1 }}:{{ humanizeDuration 1 }}:{{ humanizeDuration 1234567 }}:', '0s:-1s:1s:14d 6h 56m 7s:'],
    ['{{ range $labels }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{ humanizeTimestamp . }}:{{ end }}', '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:'],
    ['{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}', '-22.22%:0%:12.35%:123.5%'],
    ['{{ humanizePercentage 0 }}:{{ humanizePercentage -1 }}:{{ humanizePercentage 1 }}:{{ humanizePercentage 1234567 }}:{{ humanizePercentage 9223372036854775807 }}:', '0%:-100%:100%:1.235e+08%:9.223e+20%:'],
    ['{{ "-0.22222" | humanizePercentage }}:{{ "0.0" | humanizePercentage }}:{{ "0.1234567" | humanizePercentage }}:{{ "1.23456" | humanizePercentage }}', '-22.22%:0%:12.35%:123.5%'],
    [
      '{{ humanizeTimestamp 0 }}:{{ humanizeTimestamp -1 }}:{{ humanizeTimestamp 1 }}:{{ humanizeTimestamp 1234567 }}:{{ humanizeTimestamp 9223372036 }}:',
      '1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:',
    ],
    ['{{ 1435065584.128 | humanizeTimestamp }}', '2015-06-23 13:19:44.128 +0000 UTC'],
    ['{{ "1435065584.128" | humanizeTimestamp }}', '2015-06-23 13:19:44.128 +0000 UTC'],
    ['{{ "aa bb CC" | title }}', 'Aa Bb CC'],
    ['{{ "aa bb CC" | toUpper }}', 'AA BB CC'],
    ['{{ "aA bB CC" | toLower }}', 'aa bb cc'],
    ['{{ match "a+" "aa" }} {{ match "a+" "b" }}', 'true false'],
    ['{{ graphLink "up" }}', '/graph?g0.expr=up&g0.tab=0'],
    ['{{ tableLink "up" }}', '/graph?g0.expr=up&g0.tab=1'],
    ['{{ pathPrefix }}', '/path/prefix'],
    ['{{ externalURL }}', 'http://testhost:9090/path/prefix'],
    ['{{ printf "%0.2f" (parseDuration "1h2m10ms") }}', '3720.01'],
    ['{{ "foo.example.com" | stripPort }}', 'foo.example.com'],
    ['{{ "foo.example.com:12345" | stripPort }}', 'foo.example.com'],
    ['{{ "192.0.2.1" | stripPort }}', '192.0.2.1'],
    ['{{ "192.0.2.1:12345" | stripPort }}', '192.0.2.1'],
    ['{{ "2001:0DB8::1" | stripPort }}', '2001:0DB8::1'],
    ['{{ "[2001:0DB8::1]:12345" | stripPort }}', '2001:0DB8::1'],
    ['{{ "[2001:0DB8::1]::12345" | stripPort }}', '[2001:0DB8::1]::12345'],
    ['{{ "foo.example.com" | stripDomain }}', 'foo'],
    ['{{ "foo.example.com:12345" | stripDomain }}', 'foo:12345'],
    ['{{ "192.0.2.1" | stripDomain }}', '192.0.2.1'],
    ['{{ "192.0.2.1:12345" | stripDomain }}', '192.0.2.1:12345'],
    ['{{ "2001:0DB8::1" | stripDomain }}', '2001:0DB8::1'],
    ['{{ "[2001:0DB8::1]:12345" | stripDomain }}', '[2001:0DB8::1]:12345'],
    ['{{ "[2001:0DB8::1]::12345" | stripDomain }}', '[2001:0DB8::1]::12345'],
  ])('%s', (text, output) => {
    const labels: Record<string, string> = text.includes('range $labels') ? { a: '+Inf', b: '-Inf', c: 'NaN' } : {};
    expect(render(text, { labels })).toBe(output);
  });

  const instanceA = { labels: { __name__: 'metric', instance: 'a' }, value: 11 };
  it.each([
    ['{{ query "1.5" | first | value }}', [{ labels: {}, value: 1.5 }], '1.5'],
    ["{{ query \"metric{instance='a'}\" | first | value }}", [instanceA], '11'],
    ["{{ query \"metric{instance='a'}\" | first | label \"instance\" }}", [instanceA], 'a'],
    ["{{ query \"metric{__value__='a'}\" | first | strvalue }}", [{ labels: { __name__: 'metric', __value__: 'a' }, value: 11 }], 'a'],
    ["{{ query \"metric{instance='a'}\" | first | label \"foo\" }}", [instanceA], ''],
    ['{{ $x := query "metric" | first }}{{ $x.Labels.foo }}', [instanceA], ''],
    [
      '{{ range query "metric" | sortByLabel "instance" }}{{.Labels.instance}}:{{.Value}}: {{end}}',
      [{ labels: { __name__: 'metric', instance: 'b' }, value: 21 }, instanceA],
      'a:11: b:21: ',
    ],
  ])('%s', (text, query, output) => {
    expect(render(text, { query })).toBe(output);
  });

  it.each([
    ['{{ query "missing" | first }}', execError(21, 'first', 'error calling first: first() called on vector with no elements')],
    ['{{ humanize "one" }}', execError(3, 'humanize "one"', 'error calling humanize: strconv.ParseFloat: parsing "one": invalid syntax')],
    ['{{ humanize1024 "one" }}', execError(3, 'humanize1024 "one"', 'error calling humanize1024: strconv.ParseFloat: parsing "one": invalid syntax')],
    ['{{ humanizeDuration "one" }}', execError(3, 'humanizeDuration "one"', 'error calling humanizeDuration: strconv.ParseFloat: parsing "one": invalid syntax')],
    ['{{ "one" | humanizePercentage }}', execError(11, 'humanizePercentage', 'error calling humanizePercentage: strconv.ParseFloat: parsing "one": invalid syntax')],
    ['{{ humanizeTimestamp -9223372036854775808 }}', execError(3, 'humanizeTimestamp -9223372036854775808', 'error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64')],
  ])('fails like Prometheus: %s', (text, output) => {
    expect(render(text)).toBe(output);
  });

  it('rejects what Go fails to parse, with its message', () => {
    expect(() => compileTemplate('{{', { name: 'test' })).toThrow('template: test:1: unclosed action');
    expect(() => compileTemplate('{{\u00a0}}', { name: 'test' })).toThrow('template: test:1: unrecognized character in action: U+00A0');
  });

  it('reads a field of a query result as Go does: not a field of a slice', () => {
    expect(render('{{ (query "missing").banana }}')).toMatch(/executing "test" at <.*>: can't evaluate field banana in type template\.queryResult>$/);
  });
});
