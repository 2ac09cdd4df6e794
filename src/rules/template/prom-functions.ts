import { parseDurationMs } from '../../config/duration';
import { TemplateFunctionError } from './errors';
import type { FunctionTable } from './function-types';
import { stripDomain, stripPort } from './go-net';
import { goMatch, goReplaceAll } from './go-regexp';
import { goQuote } from './go-quote';
import { goTitle, parseGoFloat, queryEscape } from './go-strings';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp } from './humanize';
import { GoInt, GoMap, GoSlice, GoStruct, QUERY_RESULT_TYPE, sampleValue, typeName, type Value } from './values';

/** The functions Prometheus adds to alert templates (template/template.go NewTemplateExpander). */

const fail = (message: string): never => {
  throw new TemplateFunctionError(message);
};

/** prometheus/common's ConvertToFloat: numbers as they are, strings through strconv.ParseFloat. */
function toFloat(v: Value): number {
  if (typeof v === 'number') return v;
  if (v instanceof GoInt) return v.v;
  if (typeof v === 'string') return parseGoFloat(v);
  return fail(`can't convert ${typeName(v)} to float`);
}

const sample = (v: Value): GoStruct => (v instanceof GoStruct ? v : fail('runtime error: invalid memory address or nil pointer dereference'));
const labelsOf = (v: Value): GoMap => sample(v).fields.Labels as GoMap;
const str = (v: Value) => v as string;

function graphLink(expr: string, tab: number): string {
  return `/graph?g0.expr=${queryEscape(expr)}&g0.tab=${tab}`;
}

function pathOf(url: string): string {
  if (url === '') return '';
  try {
    return new URL(url).pathname.replace(/^\/$/, '');
  } catch {
    return fail(`invalid external URL ${goQuote(url, '"')}`);
  }
}

export const PROMETHEUS_FUNCTIONS: FunctionTable = {
  query: {
    params: ['string'],
    call: ([q], env) => {
      if (!env.query) return fail('query is not available when rendering this template');
      env.spendQuery();
      return new GoSlice(env.query(str(q)).map((s) => sampleValue(s.labels, s.value)), QUERY_RESULT_TYPE);
    },
  },
  first: {
    params: ['samples'],
    call: ([v]) => (v instanceof GoSlice && v.items.length > 0 ? v.items[0] : fail('first() called on vector with no elements')),
  },
  label: { params: ['string', 'sample'], call: ([name, s]) => labelsOf(s).get(str(name)) },
  value: { params: ['sample'], call: ([s]) => sample(s).fields.Value },
  strvalue: { params: ['sample'], call: ([s]) => labelsOf(s).get('__value__') },
  args: { params: [], variadic: 'any', call: (args) => new GoMap(Object.fromEntries(args.map((a, i) => [`arg${i}`, a])), 'any') },
  reReplaceAll: { params: ['string', 'string', 'string'], call: ([p, r, t]) => goReplaceAll(str(p), str(r), str(t)) },
  match: { params: ['string', 'string'], call: ([p, t]) => goMatch(str(p), str(t)) },
  // text templates are not HTML-escaped, so marking a string safe changes nothing
  safeHtml: { params: ['string'], call: ([s]) => s },
  title: { params: ['string'], call: ([s]) => goTitle(str(s)) },
  toUpper: { params: ['string'], call: ([s]) => str(s).toUpperCase() },
  toLower: { params: ['string'], call: ([s]) => str(s).toLowerCase() },
  graphLink: { params: ['string'], call: ([e]) => graphLink(str(e), 0) },
  tableLink: { params: ['string'], call: ([e]) => graphLink(str(e), 1) },
  sortByLabel: {
    params: ['string', 'samples'],
    call: ([name, v]) => {
      if (!(v instanceof GoSlice)) return v;
      // in place and stable, as Go's sort.Stable on the query result
      v.items.sort((a, b) => {
        const x = labelsOf(a).get(str(name)) as string;
        const y = labelsOf(b).get(str(name)) as string;
        return x < y ? -1 : x > y ? 1 : 0;
      });
      return v;
    },
  },
  stripPort: { params: ['string'], call: ([s]) => stripPort(str(s)) },
  stripDomain: { params: ['string'], call: ([s]) => stripDomain(str(s)) },
  humanize: { params: ['any'], call: ([v]) => humanize(toFloat(v)) },
  humanize1024: { params: ['any'], call: ([v]) => humanize1024(toFloat(v)) },
  humanizeDuration: { params: ['any'], call: ([v]) => humanizeDuration(toFloat(v)) },
  humanizePercentage: { params: ['any'], call: ([v]) => humanizePercentage(toFloat(v)) },
  humanizeTimestamp: { params: ['any'], call: ([v]) => humanizeTimestamp(toFloat(v)) },
  pathPrefix: { params: [], call: (_args, env) => pathOf(env.externalURL) },
  externalURL: { params: [], call: (_args, env) => env.externalURL },
  parseDuration: {
    params: ['string'],
    call: ([d]) => {
      const ms = str(d) === '0' ? 0 : parseDurationMs(str(d));
      return ms === undefined ? fail(`not a valid duration string: ${goQuote(str(d), '"')}`) : ms / 1000;
    },
  },
};
