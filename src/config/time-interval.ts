/**
 * Alertmanager's `time_intervals` (prometheus/alertmanager timeinterval/, docs "time_interval"),
 * as a pure evaluator: every non-empty field must match, an element of a field's list matching is
 * enough; `times` are [start, end) minutes of the day ("24:00" ends it), the other ranges are
 * inclusive; days_of_month may count back from the month's end (-1 is the last day) and are clamped
 * to the month; names are case-insensitive; `location` is an IANA zone ("Local" is the host's; UTC
 * when unset).
 */
export interface TimeIntervalSpec {
  readonly times?: ReadonlyArray<{ readonly start_time: string; readonly end_time: string }>;
  readonly weekdays?: readonly string[];
  readonly days_of_month?: readonly string[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
  readonly location?: string;
}

interface Range {
  readonly begin: number;
  readonly end: number;
}

export interface CompiledTimeInterval {
  readonly times?: readonly Range[];
  readonly weekdays?: readonly Range[];
  readonly daysOfMonth?: readonly Range[];
  readonly months?: readonly Range[];
  readonly years?: readonly Range[];
  readonly zone: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const TIME = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;
const INT = /^-?\d{1,4}$/;

/** A field's error names the element: `weekdays[1]: "funday" is not a weekday`. */
export type IntervalError = { readonly path: Array<string | number>; readonly message: string };

function minutes(text: string): number {
  const [h, m] = text.split(':');
  return Number(h) * 60 + Number(m);
}

function splitRange(text: string, member: (s: string) => number | string): Range | string {
  const parts = text.toLowerCase().split(':');
  if (parts.length > 2 || parts.some((p) => p === '')) return `"${text}" is not a value or a range like a:b`;
  const values = parts.map(member);
  const bad = values.find((v) => typeof v === 'string');
  if (bad !== undefined) return bad as string;
  const [begin, end] = values as number[];
  return { begin: begin as number, end: (end ?? begin) as number };
}

const named = (names: readonly string[], kind: string, numeric: boolean) => (s: string): number | string => {
  const i = names.indexOf(s);
  if (i >= 0) return kind === 'month' ? i + 1 : i;
  if (numeric && INT.test(s)) return Number(s);
  return `"${s}" is not a ${kind}`;
};
const integer = (kind: string) => (s: string): number | string => (INT.test(s) ? Number(s) : `"${s}" is not a ${kind}`);

function checkDayOfMonth(r: Range): string | undefined {
  for (const d of [r.begin, r.end]) if (d === 0 || d < -31 || d > 31) return `${d} is not a day of the month (1 to 31, or -1 to -31 from the end)`;
  if (r.begin < 0 && r.end > 0) return 'end day must be negative if start day is negative';
  const b = r.begin < 0 ? 28 + r.begin : r.begin;
  const e = r.end < 0 ? 28 + r.end : r.end;
  return b > e ? `end day ${r.end} is always before start day ${r.begin}` : undefined;
}

/** The zone an interval is evaluated in; undefined when Intl does not know it. */
export function resolveZone(location: string | undefined): string | undefined {
  if (location === undefined || location === 'UTC') return 'UTC';
  if (location === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: location }).resolvedOptions().timeZone;
  } catch {
    return undefined; // RangeError: not an IANA time zone (reported by the caller)
  }
}

/** Validates and compiles one interval; errors name the field and element. */
export function compileTimeInterval(spec: TimeIntervalSpec): CompiledTimeInterval | IntervalError[] {
  const errors: IntervalError[] = [];
  const list = (field: keyof TimeIntervalSpec, values: readonly string[] | undefined, member: (s: string) => number | string, check: (r: Range) => string | undefined): Range[] | undefined => {
    if (!values || values.length === 0) return undefined;
    const out: Range[] = [];
    values.forEach((text, i) => {
      const r = splitRange(String(text), member);
      const bad = typeof r === 'string' ? r : check(r);
      if (bad !== undefined) errors.push({ path: [field, i], message: bad });
      else out.push(r as Range);
    });
    return out;
  };
  const ordered = (kind: string) => (r: Range) => (r.begin > r.end ? `end ${kind} is before start ${kind}` : undefined);
  const times = spec.times?.length ? spec.times.map((t, i) => {
    if (!TIME.test(t.start_time)) errors.push({ path: ['times', i, 'start_time'], message: `"${t.start_time}" is not a time like 09:00 (00:00 to 23:59)` });
    if (!TIME.test(t.end_time)) errors.push({ path: ['times', i, 'end_time'], message: `"${t.end_time}" is not a time like 17:00 (00:01 to 24:00)` });
    const r = { begin: minutes(t.start_time), end: minutes(t.end_time) };
    if (TIME.test(t.start_time) && TIME.test(t.end_time) && r.begin >= r.end) errors.push({ path: ['times', i, 'end_time'], message: 'end_time must be after start_time (a range over midnight is two ranges)' });
    return r;
  }) : undefined;
  const weekdays = list('weekdays', spec.weekdays, named(WEEKDAYS, 'weekday', false), ordered('day'));
  const daysOfMonth = list('days_of_month', spec.days_of_month, integer('day of the month'), checkDayOfMonth);
  const months = list('months', spec.months, named(MONTHS, 'month', true), (r) => (r.begin < 1 || r.end > 12 ? 'months are 1 to 12 or january to december' : ordered('month')(r)));
  const years = list('years', spec.years, integer('year'), (r) => (r.begin < 1 ? 'years are positive' : ordered('year')(r)));
  const zone = resolveZone(spec.location);
  if (zone === undefined) errors.push({ path: ['location'], message: `"${spec.location}" is not a time zone of the IANA database (e.g. Europe/London, UTC, Local)` });
  if (errors.length > 0) return errors;
  return { times, weekdays, daysOfMonth, months, years, zone: zone as string };
}

/** Wall-clock fields of an instant in a zone. */
interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly minuteOfDay: number;
}

const QUARTER_MS = 15 * 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, { bucket: number; offsetMs: number }>();

/**
 * The zone's UTC offset at `ms`. Intl is slow (~15 µs a call), so the offset is computed once per
 * zone and quarter hour: every time zone change in the tz database since 1970 falls on a quarter
 * hour of UTC, so within one the offset is constant and local time is plain arithmetic.
 */
function offsetMs(zone: string, ms: number): number {
  if (zone === 'UTC') return 0;
  const bucket = Math.floor(ms / QUARTER_MS);
  const cached = offsets.get(zone);
  if (cached?.bucket === bucket) return cached.offsetMs;
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(zone, f);
  }
  const at = bucket * QUARTER_MS;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const local = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute);
  const value = local - at;
  offsets.set(zone, { bucket, offsetMs: value });
  return value;
}

function localTime(zone: string, ms: number): LocalTime {
  const d = new Date(ms + offsetMs(zone, ms));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay(), minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes() };
}

const inAny = (ranges: readonly Range[] | undefined, v: number) => !ranges || ranges.some((r) => v >= r.begin && v <= r.end);

/** Whether the instant lies in the interval (Alertmanager's ContainsTime). */
export function intervalContains(ti: CompiledTimeInterval, ms: number): boolean {
  const t = localTime(ti.zone, ms);
  if (ti.times && !ti.times.some((r) => t.minuteOfDay >= r.begin && t.minuteOfDay < r.end)) return false;
  if (ti.daysOfMonth) {
    const days = new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
    const hit = ti.daysOfMonth.some((r) => {
      const begin = r.begin < 0 ? days + r.begin + 1 : r.begin;
      const end = r.end < 0 ? days + r.end + 1 : r.end;
      if (begin > days) return false;
      return t.day >= Math.max(begin, 1) && t.day <= Math.min(end, days);
    });
    if (!hit) return false;
  }
  return inAny(ti.months, t.month) && inAny(ti.weekdays, t.weekday) && inAny(ti.years, t.year);
}

export function anyIntervalContains(list: readonly CompiledTimeInterval[], ms: number): boolean {
  return list.some((ti) => intervalContains(ti, ms));
}

/**
 * The first minute boundary after `fromMs` at which `list` stops (or starts) containing time, within
 * `horizonMs`; undefined when nothing changes in it. Intervals are minute-granular, so minute steps
 * find every change; a day is 1,440 cheap steps (offsets cached per quarter hour).
 */
export function nextChange(list: readonly CompiledTimeInterval[], fromMs: number, horizonMs: number): number | undefined {
  const now = anyIntervalContains(list, fromMs);
  const end = fromMs + horizonMs;
  for (let t = Math.floor(fromMs / 60_000) * 60_000 + 60_000; t <= end; t += 60_000) {
    if (anyIntervalContains(list, t) !== now) return t;
  }
  return undefined;
}
