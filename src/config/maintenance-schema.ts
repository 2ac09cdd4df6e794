import { z } from 'zod';
import { compileMatcher, matcherSchema, regexError, type Matcher } from '../signals/label-matchers';
import { compileTimeInterval, type TimeIntervalSpec } from './time-interval';

/**
 * A maintenance window (issue 13 §3), as warden.yaml `maintenance:` (snake_case, Alertmanager's
 * `time_intervals` keys) and as the body of POST /v1/maintenance (camelCase) write it. Both
 * validate to the same WindowSpec; every error names its field.
 */
export interface WindowSpec {
  readonly name: string;
  readonly matchers: readonly Matcher[];
  readonly startsAtMs?: number;
  readonly endsAtMs?: number;
  /** Alertmanager's form, kept as written (the API shows it back camelCased). */
  readonly timeIntervals?: readonly TimeIntervalSpec[];
  readonly comment: string;
}

const LIST_MAX = 50;
const listOf = <T extends z.ZodType>(item: T) => z.array(item).max(LIST_MAX);
const rangeList = listOf(z.string().min(1).max(40)).optional();
const name = z.string().regex(/^[^\u0000-\u001f\u007f]{1,100}$/, 'must be 1 to 100 characters without control characters');
const comment = z.string().regex(/^[^\u0000-\u0008\u000b-\u001f\u007f]{1,2000}$/, 'say why (1 to 2000 characters)');
const isoTime = z.iso.datetime({ offset: true });

const yamlInterval = z.strictObject({
  times: listOf(z.strictObject({ start_time: z.string(), end_time: z.string() })).optional(),
  weekdays: rangeList,
  days_of_month: rangeList,
  months: rangeList,
  years: rangeList,
  location: z.string().min(1).max(64).optional(),
});

const apiInterval = z.strictObject({
  times: listOf(z.strictObject({ startTime: z.string(), endTime: z.string() })).optional(),
  weekdays: rangeList,
  daysOfMonth: rangeList,
  months: rangeList,
  years: rangeList,
  location: z.string().min(1).max(64).optional(),
});

type ApiInterval = z.output<typeof apiInterval>;

/** The API's camelCase spelling of an Alertmanager time interval, both ways. */
export function fromApiInterval(i: ApiInterval): TimeIntervalSpec {
  return {
    ...(i.times ? { times: i.times.map((t) => ({ start_time: t.startTime, end_time: t.endTime })) } : {}),
    ...(i.weekdays ? { weekdays: i.weekdays } : {}),
    ...(i.daysOfMonth ? { days_of_month: i.daysOfMonth } : {}),
    ...(i.months ? { months: i.months } : {}),
    ...(i.years ? { years: i.years } : {}),
    ...(i.location ? { location: i.location } : {}),
  };
}

export function toApiInterval(i: TimeIntervalSpec): ApiInterval {
  return {
    ...(i.times ? { times: i.times.map((t) => ({ startTime: t.start_time, endTime: t.end_time })) } : {}),
    ...(i.weekdays ? { weekdays: [...i.weekdays] } : {}),
    ...(i.days_of_month ? { daysOfMonth: [...i.days_of_month] } : {}),
    ...(i.months ? { months: [...i.months] } : {}),
    ...(i.years ? { years: [...i.years] } : {}),
    ...(i.location ? { location: i.location } : {}),
  };
}

const API_KEYS: Record<string, string> = { start_time: 'startTime', end_time: 'endTime', days_of_month: 'daysOfMonth' };

/** The checks both spellings share, with paths in the spelling the writer used. */
function checkWindow(w: { matchers: readonly Matcher[]; startsAtMs?: number; endsAtMs?: number; intervals?: readonly TimeIntervalSpec[] }, ctx: z.RefinementCtx, keys: { intervals: string; startsAt: string; endsAt: string; api: boolean }): void {
  // A bad matcher is reported on the matcher itself (zod runs this refinement anyway): not compiled here.
  const compilable = w.matchers.every((m) => typeof m?.value === 'string' && (!m.isRegex || regexError(m.value) === undefined));
  if (compilable && w.matchers.every((m) => compileMatcher(m).test({}))) {
    // Alertmanager's silence guard: matchers that all match the empty label set match everything.
    ctx.addIssue({ code: 'custom', path: ['matchers'], message: 'at least one matcher must not match the empty string (a window over everything holds every repair)' });
  }
  if (w.endsAtMs === undefined && !w.intervals?.length) ctx.addIssue({ code: 'custom', path: [keys.endsAt], message: `needs ${keys.endsAt} or ${keys.intervals}: a window must end or recur` });
  if (w.startsAtMs !== undefined && w.endsAtMs !== undefined && w.endsAtMs <= w.startsAtMs) ctx.addIssue({ code: 'custom', path: [keys.endsAt], message: `${keys.endsAt} must be after ${keys.startsAt}` });
  (w.intervals ?? []).forEach((spec, i) => {
    const compiled = compileTimeInterval(spec);
    if (!Array.isArray(compiled)) return;
    for (const e of compiled) ctx.addIssue({ code: 'custom', path: [keys.intervals, i, ...e.path.map((p) => (keys.api && typeof p === 'string' ? API_KEYS[p] ?? p : p))], message: e.message });
  });
}

/** One entry of warden.yaml `maintenance:`. */
export const maintenanceWindowConfigSchema = z.strictObject({
  /** Unique; the window's id is `config:<name>`. */
  name,
  /** Alertmanager matchers (`component="database"` or {name, value, isRegex, isEqual}) on alert labels (and `target` for remediations). */
  matchers: listOf(matcherSchema).min(1, 'a window needs at least one matcher'),
  /** From when (ISO 8601); unset: from always. */
  starts_at: isoTime.optional(),
  /** Until when (ISO 8601), exclusive. */
  ends_at: isoTime.optional(),
  /** Recurring: Alertmanager's time_intervals (times, weekdays, days_of_month, months, years, location). */
  time_intervals: listOf(yamlInterval).optional(),
  comment: comment.optional(),
}).superRefine((w, ctx) => checkWindow({ matchers: w.matchers, startsAtMs: ms(w.starts_at), endsAtMs: ms(w.ends_at), intervals: w.time_intervals }, ctx, { intervals: 'time_intervals', startsAt: 'starts_at', endsAt: 'ends_at', api: false }))
  .transform((w): WindowSpec => ({ name: w.name, matchers: w.matchers, startsAtMs: ms(w.starts_at), endsAtMs: ms(w.ends_at), ...(w.time_intervals ? { timeIntervals: w.time_intervals } : {}), comment: w.comment ?? `maintenance window ${w.name} (warden.yaml)` }));

export const maintenanceConfigSchema = z.array(maintenanceWindowConfigSchema).max(1000).superRefine((ws, ctx) => {
  const seen = new Set<string>();
  ws.forEach((w, i) => {
    if (seen.has(w.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate maintenance window name "${w.name}"` });
    seen.add(w.name);
  });
});

/** POST /v1/maintenance. */
export const maintenanceBodySchema = z.strictObject({
  name,
  matchers: listOf(matcherSchema).min(1, 'a window needs at least one matcher'),
  startsAt: isoTime.optional(),
  endsAt: isoTime.optional(),
  timeIntervals: listOf(apiInterval).optional(),
  comment,
  createdBy: z.string().min(1).max(200).optional(),
}).superRefine((w, ctx) => checkWindow({ matchers: w.matchers, startsAtMs: ms(w.startsAt), endsAtMs: ms(w.endsAt), intervals: w.timeIntervals?.map(fromApiInterval) }, ctx, { intervals: 'timeIntervals', startsAt: 'startsAt', endsAt: 'endsAt', api: true }))
  .transform((w): WindowSpec & { createdBy?: string } => ({
    name: w.name, matchers: w.matchers, startsAtMs: ms(w.startsAt), endsAtMs: ms(w.endsAt), comment: w.comment,
    ...(w.timeIntervals ? { timeIntervals: w.timeIntervals.map(fromApiInterval) } : {}),
    ...(w.createdBy ? { createdBy: w.createdBy } : {}),
  }));

function ms(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}
