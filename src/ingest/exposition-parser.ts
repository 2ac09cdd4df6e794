import { METRIC_NAME_RE } from '../signals/sample';

/**
 * Prometheus text exposition format 0.0.4, parsed into flat samples the way Prometheus' own scraper
 * does (histogram _bucket/_sum/_count and summary quantiles are ordinary samples).
 * Hand-written: the one npm parser (parse-prometheus-text-format, last release 2018) groups by family,
 * reports no line numbers and accepts duplicate label names.
 */

export interface ExposedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  /** May be NaN or ±Inf, as the format allows. */
  readonly value: number;
  /** Milliseconds since the epoch when the line carries one; otherwise the scrape time applies. */
  readonly timestampMs: number | undefined;
}

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
const METRIC_TYPES: ReadonlySet<string> = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** The body is not valid exposition text. `line` is 1-based. */
export class ExpositionParseError extends Error {
  readonly line: number;
  readonly detail: string;
  constructor(line: number, detail: string) {
    super(`line ${line}: ${detail}`);
    this.name = 'ExpositionParseError';
    this.line = line;
    this.detail = detail;
  }
}

const FLOAT_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT_RE = /^-?\d+$/;

/** Parses a float as Go's strconv.ParseFloat does for exposition values (NaN, ±Inf included). */
export function parseExpositionFloat(token: string): number | undefined {
  if (FLOAT_RE.test(token)) return Number(token);
  switch (token.toLowerCase()) {
    case 'nan':
      return NaN;
    case 'inf': case '+inf': case 'infinity': case '+infinity':
      return Infinity;
    case '-inf': case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

/** Parses a whole exposition body; throws ExpositionParseError at the first bad line. */
export function parseExposition(text: string): ExposedSample[] {
  const state: FamilyState = { types: new Map(), helps: new Set() };
  const out: ExposedSample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const sample = parseLine(lines[i] as string, i + 1, state);
    if (sample) out.push(sample);
  }
  return out;
}

interface FamilyState {
  readonly types: Map<string, MetricType>;
  readonly helps: Set<string>;
}

function parseLine(line: string, lineNo: number, state: FamilyState): ExposedSample | undefined {
  const c = new Cursor(line, lineNo);
  c.skipBlanks();
  if (c.atEnd()) return undefined;
  if (c.peek() === '#') {
    parseComment(c, state);
    return undefined;
  }
  return parseSample(c, state);
}

/** `# HELP name text`, `# TYPE name type`; any other `#` line is a comment. */
function parseComment(c: Cursor, state: FamilyState): void {
  c.advance();
  c.skipBlanks();
  const keyword = c.readToken();
  if (keyword !== 'HELP' && keyword !== 'TYPE') return;
  c.skipBlanks();
  const name = c.readToken();
  if (!METRIC_NAME_RE.test(name)) c.fail(`invalid metric name ${JSON.stringify(name)} in # ${keyword} line`);
  if (keyword === 'HELP') {
    if (state.helps.has(name)) c.fail(`second HELP line for metric ${JSON.stringify(name)}`);
    state.helps.add(name);
    return;
  }
  c.skipBlanks();
  const type = c.rest().trimEnd();
  if (!METRIC_TYPES.has(type)) c.fail(`unknown metric type ${JSON.stringify(type)} for ${JSON.stringify(name)} (expected counter, gauge, histogram, summary or untyped)`);
  if (state.types.has(name)) c.fail(`second TYPE line for metric ${JSON.stringify(name)}`);
  state.types.set(name, type as MetricType);
}

function parseSample(c: Cursor, state: FamilyState): ExposedSample {
  const name = c.readWhile(METRIC_NAME_CHARS);
  if (name === '') c.fail(`expected a metric name but found ${describe(c.peek())}`);
  if (startsWithDigit(name)) c.fail(`invalid metric name ${JSON.stringify(name)}`);
  const blankAfterName = c.skipBlanks();
  let labels: Record<string, string>;
  if (c.peek() === '{') {
    labels = parseLabels(c);
    c.skipBlanks();
  } else {
    labels = emptyLabels();
    if (!blankAfterName && !c.atEnd()) c.fail(`unexpected character ${describe(c.peek())} after metric name ${JSON.stringify(name)}`);
  }
  const valueToken = c.readToken();
  if (valueToken === '') c.fail(`missing value for metric ${JSON.stringify(name)}`);
  const value = parseExpositionFloat(valueToken);
  if (value === undefined) c.fail(`invalid value ${JSON.stringify(valueToken)} for metric ${JSON.stringify(name)}`);
  c.skipBlanks();
  let timestampMs: number | undefined;
  if (!c.atEnd()) {
    const tsToken = c.readToken();
    timestampMs = INT_RE.test(tsToken) ? Number(tsToken) : NaN;
    if (!Number.isSafeInteger(timestampMs)) c.fail(`invalid timestamp ${JSON.stringify(tsToken)} (expected integer milliseconds)`);
    c.skipBlanks();
    if (!c.atEnd()) c.fail(`unexpected text ${JSON.stringify(c.rest())} after timestamp`);
  }
  checkFamilyLabels(c, name, labels, state);
  return { name, labels, value: value as number, timestampMs };
}

/** Prometheus needs `le` on histogram buckets and `quantile` on summary quantiles, both floats. */
function checkFamilyLabels(c: Cursor, name: string, labels: Record<string, string>, state: FamilyState): void {
  let required: string | undefined;
  if (state.types.get(name) === 'summary') required = 'quantile';
  else if (name.endsWith('_bucket') && state.types.get(name.slice(0, -'_bucket'.length)) === 'histogram') required = 'le';
  if (required === undefined) return;
  const v = Object.hasOwn(labels, required) ? labels[required] : undefined;
  if (v === undefined) c.fail(`${JSON.stringify(name)} has no "${required}" label`);
  if (parseExpositionFloat(v) === undefined) c.fail(`invalid "${required}" value ${JSON.stringify(v)} for ${JSON.stringify(name)}`);
}

/** `{name="value",...}` with an optional trailing comma; escapes \\, \" and \n. */
function parseLabels(c: Cursor): Record<string, string> {
  const labels = emptyLabels();
  c.advance(); // '{'
  for (;;) {
    c.skipBlanks();
    if (c.peek() === '}') break;
    const name = c.readWhile(LABEL_NAME_CHARS);
    if (name === '') c.fail(`expected a label name or "}" but found ${describe(c.peek())}`);
    if (startsWithDigit(name)) c.fail(`invalid label name ${JSON.stringify(name)}`);
    c.skipBlanks();
    c.expect('=', () => `after label name ${JSON.stringify(name)}`);
    c.skipBlanks();
    c.expect('"', () => `to open the value of label ${JSON.stringify(name)}`);
    const value = readQuoted(c, name);
    if (Object.hasOwn(labels, name)) c.fail(`duplicate label name ${JSON.stringify(name)}`);
    setLabel(labels, name, value);
    c.skipBlanks();
    if (c.peek() === ',') {
      c.advance();
      continue;
    }
    if (c.peek() !== '}') c.fail(`expected "," or "}" after the value of label ${JSON.stringify(name)} but found ${describe(c.peek())}`);
    break;
  }
  c.advance(); // '}'
  return labels;
}

/** Reads up to the closing quote, copying unescaped runs as slices (this is the hot loop). */
function readQuoted(c: Cursor, labelName: string): string {
  let value = '';
  for (;;) {
    const run = c.readWhile(QUOTED_PLAIN);
    value = value === '' ? run : value + run;
    if (c.atEnd()) c.fail(`unterminated value of label ${JSON.stringify(labelName)}`);
    if (c.next() === '"') return value;
    if (c.atEnd()) c.fail(`unterminated value of label ${JSON.stringify(labelName)}`);
    const esc = c.next();
    if (esc === '\\' || esc === '"') value += esc;
    else if (esc === 'n') value += '\n';
    else c.fail(`invalid escape sequence "\\${esc}" in the value of label ${JSON.stringify(labelName)}`);
  }
}

/** A plain object (fast in V8); read it with Object.hasOwn, never `in`. */
function emptyLabels(): Record<string, string> {
  return {};
}

/** Sets a label, treating one named __proto__ as an ordinary label rather than the prototype. */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  else labels[name] = value;
}

/** Which characters a run may hold, by char code; codes >= 128 take the table's last entry. */
type CharClass = Uint8Array;
function charClass(accept: (code: number) => boolean, nonAscii: boolean): CharClass {
  const table = new Uint8Array(129);
  for (let code = 0; code < 128; code++) table[code] = accept(code) ? 1 : 0;
  table[128] = nonAscii ? 1 : 0;
  return table;
}
const isAlnumUnderscore = (code: number): boolean => (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
const METRIC_NAME_CHARS = charClass((code) => isAlnumUnderscore(code) || code === 58, false);
const LABEL_NAME_CHARS = charClass(isAlnumUnderscore, false);
const TOKEN_CHARS = charClass((code) => code !== 32 && code !== 9, true);
const QUOTED_PLAIN = charClass((code) => code !== 34 && code !== 92, true);
/** The character classes above ensure the rest of a name; Prometheus forbids only a leading digit. */
const startsWithDigit = (name: string): boolean => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57;
const describe = (ch: string): string => (ch === '' ? 'end of line' : JSON.stringify(ch));

/** A position in one line, and the line number for errors. */
class Cursor {
  #pos = 0;
  constructor(readonly line: string, readonly lineNo: number) {}

  atEnd(): boolean {
    return this.#pos >= this.line.length;
  }
  peek(): string {
    return this.line[this.#pos] ?? '';
  }
  next(): string {
    return this.line[this.#pos++] ?? '';
  }
  advance(): void {
    this.#pos++;
  }
  /** Skips spaces and tabs; says whether there were any. */
  skipBlanks(): boolean {
    const start = this.#pos;
    const line = this.line;
    let code = line.charCodeAt(this.#pos);
    while (code === 32 || code === 9) code = line.charCodeAt(++this.#pos);
    return this.#pos > start;
  }
  readWhile(accept: CharClass): string {
    const start = this.#pos;
    const line = this.line;
    const end = line.length;
    let pos = start;
    while (pos < end && accept[Math.min(line.charCodeAt(pos), 128)] === 1) pos++;
    this.#pos = pos;
    return line.slice(start, pos);
  }
  /** Everything up to the next blank or the end of the line. */
  readToken(): string {
    return this.readWhile(TOKEN_CHARS);
  }
  rest(): string {
    return this.line.slice(this.#pos);
  }
  /** `where` is a function so the message costs nothing on the (usual) good path. */
  expect(ch: string, where: () => string): void {
    if (this.peek() !== ch) this.fail(`expected ${JSON.stringify(ch)} ${where()} but found ${describe(this.peek())}`);
    this.#pos++;
  }
  fail(detail: string): never {
    throw new ExpositionParseError(this.lineNo, detail);
  }
}
