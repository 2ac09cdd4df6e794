import { ExpositionParseError, parseExposition, parseExpositionFloat } from '../../../src/ingest/exposition-parser';

/** Copies labels so a __proto__ label compares as the own property it is. */
function parse(text: string) {
  return parseExposition(text).map((s) => ({ ...s, labels: { ...s.labels } }));
}

function errorOf(text: string): ExpositionParseError {
  try {
    parseExposition(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ExpositionParseError);
    return err as ExpositionParseError;
  }
  throw new Error('expected a parse error');
}

describe('Prometheus text exposition parser', () => {
  it('reads counters, gauges and untyped lines with HELP and TYPE', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# TYPE replication_lag_seconds gauge',
      'replication_lag_seconds{component="database"} 0.25',
      'metric_without_timestamp_and_labels 12.47',
      'some:recording:rule 1e3',
    ].join('\n');
    expect(parse(text)).toEqual([
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 },
      { name: 'replication_lag_seconds', labels: { component: 'database' }, value: 0.25, timestampMs: undefined },
      { name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47, timestampMs: undefined },
      { name: 'some:recording:rule', labels: {}, value: 1000, timestampMs: undefined },
    ]);
  });

  it('turns histogram buckets, sum and count into samples like Prometheus', () => {
    const text = [
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
    ].join('\n');
    expect(parse(text).map((s) => [s.name, s.labels, s.value])).toEqual([
      ['http_request_duration_seconds_bucket', { le: '0.05' }, 24054],
      ['http_request_duration_seconds_bucket', { le: '+Inf' }, 144320],
      ['http_request_duration_seconds_sum', {}, 53423],
      ['http_request_duration_seconds_count', {}, 144320],
    ]);
  });

  it('turns summary quantiles, sum and count into samples', () => {
    const text = [
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds{quantile="0.99"} 76656',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
    ].join('\n');
    expect(parse(text).map((s) => [s.name, s.labels.quantile, s.value])).toEqual([
      ['rpc_duration_seconds', '0.5', 4773],
      ['rpc_duration_seconds', '0.99', 76656],
      ['rpc_duration_seconds_sum', undefined, 17560473],
      ['rpc_duration_seconds_count', undefined, 2693],
    ]);
  });

  it('reads NaN, +Inf and -Inf values and negative timestamps', () => {
    const [a, b, c] = parse('a NaN\nb +Inf -1\nc -Inf\n');
    expect(a?.value).toBeNaN();
    expect(b).toMatchObject({ value: Infinity, timestampMs: -1 });
    expect(c?.value).toBe(-Infinity);
  });

  it('unescapes \\\\, \\" and \\n in label values', () => {
    const [s] = parse('msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9');
    expect(s?.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
  });

  it('allows blanks around labels, a trailing comma, tabs and empty label sets', () => {
    expect(parse('m { a = "1" , b="2", }\t5\t7\n m2{} 1 ')).toEqual([
      { name: 'm', labels: { a: '1', b: '2' }, value: 5, timestampMs: 7 },
      { name: 'm2', labels: {}, value: 1, timestampMs: undefined },
    ]);
  });

  it('ignores ordinary comments and blank lines, and accepts an empty body', () => {
    expect(parse('# just a comment\n#\n\n   \n')).toEqual([]);
    expect(parse('')).toEqual([]);
  });

  it('treats a label named __proto__ as an ordinary label', () => {
    expect(parse('m{__proto__="x"} 1')[0]?.labels).toEqual({ ['__proto__']: 'x' });
  });

  it('parses values as Go does', () => {
    expect(parseExpositionFloat('.5')).toBe(0.5);
    expect(parseExpositionFloat('-2.')).toBe(-2);
    expect(parseExpositionFloat('1E-3')).toBe(0.001);
    expect(parseExpositionFloat('inf')).toBe(Infinity);
    expect(parseExpositionFloat('1_000')).toBeUndefined();
    expect(parseExpositionFloat('')).toBeUndefined();
  });
});

describe('exposition parse errors name the line', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['an invalid metric name', 'ok 1\n1bad 2', 2, /invalid metric name "1bad"/],
    ['a line without a metric name', '{a="b"} 1', 1, /expected a metric name but found "\{"/],
    ['a stray character after the name', 'ok 1\n\nm"x" 2', 3, /unexpected character "\\"" after metric name "m"/],
    ['a missing value', 'm{a="b"}', 1, /missing value for metric "m"/],
    ['a value that is not a number', 'm 12abc', 1, /invalid value "12abc"/],
    ['a fractional timestamp', 'm 1 1.5', 1, /invalid timestamp "1.5"/],
    ['text after the timestamp', 'm 1 2 3', 1, /unexpected text "3" after timestamp/],
    ['an invalid label name', 'm{0a="b"} 1', 1, /invalid label name "0a"/],
    ['a missing label name', 'm{,} 1', 1, /expected a label name or "}" but found ","/],
    ['a missing "="', 'm{a "b"} 1', 1, /expected "=" after label name "a"/],
    ['an unquoted label value', 'm{a=b} 1', 1, /expected "\\"" to open the value of label "a"/],
    ['an unterminated label value', 'm{a="b} 1', 1, /unterminated value of label "a"/],
    ['a backslash at the end of a line', 'm{a="b\\', 1, /unterminated value of label "a"/],
    ['an unknown escape', 'm{a="\\t"} 1', 1, /invalid escape sequence "\\t" in the value of label "a"/],
    ['a missing "," between labels', 'm{a="1" b="2"} 1', 1, /expected "," or "}" after the value of label "a" but found "b"/],
    ['an unclosed label set', 'm{a="1"', 1, /expected "," or "}" after the value of label "a" but found end of line/],
    ['a duplicate label name', 'm{a="1",a="2"} 1', 1, /duplicate label name "a"/],
    ['an unknown TYPE', '# TYPE m gauges', 1, /unknown metric type "gauges" for "m"/],
    ['a TYPE without a type', '# TYPE m', 1, /unknown metric type "" for "m"/],
    ['an invalid name in TYPE', '# TYPE 9m gauge', 1, /invalid metric name "9m" in # TYPE line/],
    ['an invalid name in HELP', '# HELP  ', 1, /invalid metric name "" in # HELP line/],
    ['a second TYPE', '# TYPE m gauge\n# TYPE m counter', 2, /second TYPE line for metric "m"/],
    ['a second HELP', '# HELP m a\nm 1\n# HELP m b', 3, /second HELP line for metric "m"/],
    ['a histogram bucket without le', '# TYPE h histogram\nh_bucket 1', 2, /"h_bucket" has no "le" label/],
    ['a histogram bucket with a bad le', '# TYPE h histogram\nh_bucket{le="x"} 1', 2, /invalid "le" value "x"/],
    ['a summary quantile without quantile', '# TYPE s summary\ns_sum 1\ns 2', 3, /"s" has no "quantile" label/],
  ];
  it.each(cases)('rejects %s', (_what, text, line, message) => {
    const err = errorOf(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(new RegExp(`^line ${line}: `));
    expect(err.detail).toMatch(message);
  });
});
