import { formatAlertValue, formatSampleValue } from '../../../src/http/views/prometheus-json';

/** Expected strings are what Go's strconv writes (Prometheus' jsonutil.MarshalValue and FormatFloat 'e', -1). */
describe('sample values as Prometheus writes them', () => {
  test.each([
    [2, '2'], [0.25, '0.25'], [1e6, '1000000'], [123456789.125, '123456789.125'], [1e-6, '0.000001'], [1.5e-7, '1.5e-07'],
    [1e21, '1e+21'], [1.2345e25, '1.2345e+25'], [-3.5, '-3.5'], [0, '0'], [-0, '-0'], [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
  ])('%p is %p', (v, text) => {
    expect(formatSampleValue(v)).toBe(text);
  });
});

describe("alert values as Prometheus writes them ('e', shortest)", () => {
  test.each([
    [12.5, '1.25e+01'], [1, '1e+00'], [0, '0e+00'], [-0, '-0e+00'], [1e-7, '1e-07'], [123456, '1.23456e+05'], [1e100, '1e+100'], [NaN, 'NaN'], [Infinity, '+Inf'],
  ])('%p is %p', (v, text) => {
    expect(formatAlertValue(v)).toBe(text);
  });
});
