import { compileTemplate, renderTemplate, type TemplateContext } from '../../../src/rules/annotation-template';

/** Go text/template semantics (text/template docs and exec_test.go behaviour) as alert templates see them. */
const render = (text: string, labels: Record<string, string> = {}, value = 0, ctx: TemplateContext = {}) => renderTemplate(compileTemplate(text, { name: 'test' }), labels, value, ctx);
const LABELS = { instance: 'db-1:9100', job: 'node', severity: 'warning' };

describe('actions, variables and pipelines', () => {
  it.each([
    ['{{ $labels.instance }} / {{ .Labels.job }} / {{ $value }} / {{ .Value }}', 'db-1:9100 / node / 0.5 / 0.5'],
    ['{{ $labels }}', 'map[instance:db-1:9100 job:node severity:warning]'],
    ['{{ $x := $labels.job }}{{ $x }}{{ $x = "other" }} {{ $x }}', 'node other'],
    ['{{ $labels.instance | stripPort | toUpper }}', 'DB-1'],
    ['{{ printf "%s is %.1f%%" $labels.job (humanizePercentage $value | len | printf "%d") }}', 'node is %!f(string=3)%'],
    ['{{ $value | printf "%.3f" }}', '0.500'],
    ['{{ index $labels "job" }} [{{ index $labels "nope" }}] {{ len $labels }} {{ len "héllo" }}', 'node [] 3 6'],
    ['{{ .Labels.nope }}|{{ $labels.nope }}|{{ $externalLabels.cluster }}|{{ .ExternalLabels.cluster }}', '||eu-1|eu-1'],
    ['{{ "a" }}{{ `raw\\n` }}{{ "\\t|\\u00e9|\\x41" }}{{ 0x1F }} {{ 1e3 }} {{ 1.50 }} {{ -7 }} {{ true }} {{ \'a\' }}', 'araw\\n\t|é|A31 1000 1.5 -7 true 97'],
    ['{{ print 1 2 "a" "b" 3 }}|{{ println "x" 1 }}|', '1 2ab3|x 1\n|'],
    ['{{ html "<a href=\'x\'>&</a>" }} {{ urlquery "a b&c" }} {{ js "it\'s <b>" }}', "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; a+b%26c it\\'s \\u003Cb\\u003E"],
    ['{{ (args 1 "two").arg1 }}', 'two'],
  ])('%s', (text, out) => {
    expect(render(text, LABELS, 0.5, { externalLabels: { cluster: 'eu-1' } })).toBe(out);
  });
});

describe('control structures', () => {
  it.each([
    ['{{ if gt $value 0.9 }}critical{{ else if gt $value 0.5 }}warning{{ else }}ok{{ end }}', 0.7, 'warning'],
    ['{{ if and (gt $value 0.5) (eq $labels.job "node") }}both{{ end }}', 0.7, 'both'],
    ['{{ if or (lt $value 0.1) (ne $labels.job "node") }}x{{ else }}neither{{ end }}', 0.7, 'neither'],
    ['{{ if not (eq $labels.severity "critical" "page") }}not paging{{ end }}', 0, 'not paging'],
    ['{{ with $labels.instance }}on {{ . }}{{ end }}{{ with $labels.nope }}never{{ else }} (no nope){{ end }}', 0, 'on db-1:9100 (no nope)'],
    ['{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}', 0, 'instance=db-1:9100;job=node;severity=warning;'],
    ['{{ range $labels }}{{ . }},{{ end }}', 0, 'db-1:9100,node,warning,'],
    ['{{ range $i, $e := $labels }}{{ if eq $i "job" }}{{ break }}{{ end }}{{ $e }}{{ end }}', 0, 'db-1:9100'],
    ['{{ range $k, $e := $labels }}{{ if eq $k "job" }}{{ continue }}{{ end }}{{ $e }} {{ end }}', 0, 'db-1:9100 warning '],
    ['{{ range $externalLabels }}x{{ else }}no external labels{{ end }}', 0, 'no external labels'],
    ['{{ range 3 }}{{ . }}{{ end }}', 0, '012'],
    ['{{ $n := 0 }}{{ range $labels }}{{ $n = 1 }}{{ end }}{{ $n }}', 0, '1'],
  ])('%s', (text, value, out) => {
    expect(render(text, LABELS, value)).toBe(out);
  });

  it('trims whitespace at {{- and -}} and drops comments', () => {
    expect(render('a  {{- /* why */ -}}  b\n{{- if true }}\n  c\n{{- end }}', {}, 0)).toBe('ab\n  c');
    expect(render('{{/* only a comment */}}')).toBe('');
    expect(render('{{ 3 -}} < {{- 4 }} {{-3}}')).toBe('3<4 -3');
  });
});

describe('Go types', () => {
  it('keeps int and float apart, as Go does (a classic Prometheus template mistake)', () => {
    expect(render('{{ if gt $value 80 }}hot{{ end }}', {}, 90)).toMatch(/error calling gt: incompatible types for comparison>$/);
    expect(render('{{ if gt $value 80.0 }}hot{{ end }}', {}, 90)).toBe('hot');
    expect(render('{{ eq 1 1.0 }}')).toMatch(/incompatible types for comparison>$/);
    expect(render('{{ lt "a" "b" }} {{ le 2 2 }} {{ ge 1.5 2.5 }}')).toBe('true true false');
  });

  it('checks argument types and counts like Go', () => {
    expect(render('{{ toUpper $value }}')).toMatch(/at <toUpper \$value>: wrong type for value; expected string; got float64>$/);
    expect(render('{{ toUpper 1 }}')).toMatch(/expected string; found 1>$/);
    expect(render('{{ humanize 1 2 }}')).toMatch(/wrong number of args for humanize: want 1 got 2>$/);
    expect(render('{{ $labels.job 1 }}', LABELS)).toMatch(/job is not a method but has arguments>$/);
    expect(render('{{ .Nope }}')).toMatch(/can't evaluate field Nope in type struct \{ Labels map\[string\]string;/);
    expect(render('{{ $labels.job.x }}', LABELS)).toMatch(/can't evaluate field x in type string>$/);
    expect(render('{{ index $labels 1 }}')).toMatch(/error calling index: value has type int; should be string>$/);
  });

  it('renders Go fmt verbs', () => {
    expect(render('{{ printf "%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%c|%q" 42 42 42 -42 42 255 255 8 5 65 66 }}')).toBe('42|   42|42   |-0042|+42|ff|FF|10|101|A|\'B\'');
    expect(render('{{ printf "%f|%.2f|%8.3f|%-8.1f|%08.2f|%e|%.3E|%g|%.3g|%G|%v" 3.14159 3.14159 3.14159 3.14159 -3.14159 1234.5678 1234.5678 0.000012345 1234.5678 1e21 100000.0 }}')).toBe(
      '3.141590|3.14|   3.142|3.1     |-0003.14|1.234568e+03|1.235E+03|1.2345e-05|1.23e+03|1E+21|100000',
    );
    expect(render('{{ printf "%.0f %.0f %.0f %.1f %.2f" 0.5 1.5 2.5 0.25 1.005 }}')).toBe('0 2 2 0.2 1.00');
    expect(render('{{ printf "%s|%10s|%-4s|%.2s|%q|%x|%v|%t" "a" "right" "l" "abc" "q\\"\\n" "hi" "v" true }}')).toBe('a|     right|l   |ab|"q\\"\\n"|6869|v|true');
    expect(render('{{ printf "%d %s" 1.5 2 }}|{{ printf "%d" }}|{{ printf "x" 1 "a" }}|{{ printf "%!" }}|{{ printf "%" }}|{{ printf "%T %T %T" 1 1.0 "s" }}')).toBe(
      '%!d(float64=1.5) %!s(int=2)|%!d(MISSING)|x%!(EXTRA int=1, string=a)|%!!(MISSING)|%!(NOVERB)|int float64 string',
    );
    expect(render('{{ printf "%f %v %.2f" $value $value $value }}', {}, Infinity)).toBe('+Inf +Inf +Inf');
    expect(render('{{ printf "%v %.1f %5.1f" $value $value $value }}', {}, NaN)).toBe('NaN NaN   NaN');
  });
});

describe('safety', () => {
  it('stops a template that runs too long or writes too much, with an error text instead', () => {
    const limits = { maxSteps: 1000, maxOutputChars: 100, maxQueries: 2 };
    expect(render('{{ range 100000 }}{{ range 100000 }}x{{ end }}{{ end }}', {}, 0, { limits })).toMatch(/^<error expanding template: .*template takes more than 1000 steps>$/);
    expect(render('{{ range 50 }}xxxxxxxxxx{{ end }}', {}, 0, { limits })).toMatch(/template output is longer than 100 characters>$/);
    expect(render('{{ query "a" }}{{ query "b" }}{{ query "c" }}', {}, 0, { limits, query: () => [] })).toMatch(/more than 2 queries in one template>$/);
  });

  it('fails `query` when no query function was given, and reports every render error', () => {
    const errors: string[] = [];
    expect(render('{{ query "up" }}', {}, 0, { onError: (m) => errors.push(m) })).toMatch(/error calling query: query is not available/);
    expect(errors).toEqual([expect.stringMatching(/^error executing template test: template: test:1:\d+: executing "test" at <query "up">/)]);
  });

  it('never throws out of a render, even for a query function that throws', () => {
    expect(render('{{ query "up" }}', {}, 0, { query: () => { throw new Error('store down'); } })).toMatch(/error calling query: store down>$/);
  });

  it('rejects at load what Go rejects, naming the line', () => {
    expect(() => compileTemplate('a\n{{ $nope }}', { name: 't' })).toThrow('template: t:2: undefined variable "$nope"');
    expect(() => compileTemplate('{{ if true }}x', { name: 't' })).toThrow('template: t:1: unexpected EOF');
    expect(() => compileTemplate('{{ end }}', { name: 't' })).toThrow('template: t:1: unexpected {{end}}');
    expect(() => compileTemplate('{{ break }}', { name: 't' })).toThrow('{{break}} outside {{range}}');
    expect(() => compileTemplate('{{ "unterminated }}', { name: 't' })).toThrow('unterminated quoted string');
    expect(() => compileTemplate('{{ (1 }}', { name: 't' })).toThrow('unclosed left paren');
    expect(() => compileTemplate('{{ 1 | 2 }}', { name: 't' })).toThrow('non executable command in pipeline stage 2');
    expect(() => compileTemplate('{{ define "x" }}{{ end }}', { name: 't' })).toThrow('{{define}} is not supported');
    expect(() => compileTemplate('{{ toTime 1 }}', { name: 't' })).toThrow('function "toTime" not defined');
    expect(() => compileTemplate('{{ 1x }}', { name: 't' })).toThrow(/bad number syntax/);
    expect(() => compileTemplate(`${'('.repeat(200)}`.replace(/^/, '{{ ') + '1' + ')'.repeat(200) + ' }}', { name: 't' })).toThrow('template nests too deeply');
  });

  it('marks constant templates and renders the simple ones without the interpreter, identically', () => {
    expect(compileTemplate('static {{/* c */}}text').isConstant).toBe(true);
    expect(compileTemplate('static {{/* c */}}text').parts).toEqual(['static text']);
    expect(compileTemplate('{{ $labels.job }}').isConstant).toBe(false);
    expect(compileTemplate('{{ $labels.job }} {{ $value }}').parts).toBeDefined();
    expect(compileTemplate('{{ $labels.job | toUpper }}').parts).toBeUndefined();
    expect(render('{{ $labels.constructor }}|{{ $labels.job }}|{{ $value }}', LABELS, 1e21)).toBe('|node|1e+21');
    expect(render('{{ $labels.constructor | print }}|{{ $labels.job | print }}|{{ $value | print }}', LABELS, 1e21)).toBe('|node|1e+21');
  });
});
