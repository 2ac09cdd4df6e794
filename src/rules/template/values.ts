import { formatGoFloat } from '../go-float-format';

/**
 * Go values as the template interpreter sees them. A JS number is a Go float64 (what $value is);
 * Go's int is boxed, because Go keeps the two apart (`eq 1.0 1` is an error, `{{ 1 }}` prints "1").
 * `undefined` is an invalid reflect.Value (prints "<no value>"), `null` is Go's nil.
 */
export class GoInt {
  constructor(readonly v: number) {}
}

/** map[string]string (labels) or map[string]interface{} (the result of `args`). */
export class GoMap {
  constructor(
    readonly entries: Readonly<Record<string, Value>>,
    readonly elem: 'string' | 'any',
  ) {}
  get(key: string): Value {
    if (Object.hasOwn(this.entries, key)) return this.entries[key];
    // missingkey=zero (Prometheus' option): the element type's zero value
    return this.elem === 'string' ? '' : undefined;
  }
  keys(): string[] {
    return Object.keys(this.entries).sort();
  }
}

/** A struct (or pointer to one): the alert data, or one query sample (`*template.sample`). */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Readonly<Record<string, Value>>,
  ) {}
}

/** A slice: query results (`template.queryResult`) or the elements of a range. */
export class GoSlice {
  constructor(
    readonly items: Value[],
    readonly typeName: string,
  ) {}
}

export type Value = undefined | null | string | number | boolean | GoInt | GoMap | GoStruct | GoSlice;

export const SAMPLE_TYPE = '*template.sample';
export const QUERY_RESULT_TYPE = 'template.queryResult';

/** One query result, as Prometheus' template.sample: the labels include __name__ when there is one. */
export function sampleValue(labels: Readonly<Record<string, string>>, value: number): GoStruct {
  return new GoStruct(SAMPLE_TYPE, { Labels: new GoMap(labels, 'string'), Value: value });
}

export function typeName(v: Value): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt) return 'int';
  if (v instanceof GoMap) return v.elem === 'string' ? 'map[string]string' : 'map[string]interface {}';
  if (v instanceof GoStruct) return v.typeName;
  return v.typeName;
}

/** Go's truth of a value for if/with/and/or/not (text/template isTrue). */
export function isTrue(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  if (v instanceof GoInt) return v.v !== 0;
  if (v instanceof GoMap) return Object.keys(v.entries).length > 0;
  if (v instanceof GoSlice) return v.items.length > 0;
  return true;
}

/** fmt's %v (and Print) of a value: maps sorted by key, structs as {…}, pointers as &{…}. */
export function formatValue(v: Value, top = true): string {
  if (v === undefined) return top ? '<no value>' : '<nil>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatGoFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof GoInt) return String(v.v);
  if (v instanceof GoMap) return `map[${v.keys().map((k) => `${k}:${formatValue(v.entries[k], false)}`).join(' ')}]`;
  if (v instanceof GoSlice) return `[${v.items.map((x) => formatValue(x, false)).join(' ')}]`;
  // Go prints a nested pointer as its address; the struct itself is more useful and deterministic
  const body = `{${Object.values(v.fields).map((x) => formatValue(x, false)).join(' ')}}`;
  return v.typeName.startsWith('*') ? `&${body}` : body;
}
