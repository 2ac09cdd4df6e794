import { compileTimeInterval, intervalContains, nextChange, type CompiledTimeInterval, type TimeIntervalSpec } from '../../../src/config/time-interval';

/** Alertmanager's time_interval semantics (timeinterval.go ContainsTime), instant by instant. */
function compile(spec: TimeIntervalSpec): CompiledTimeInterval {
  const c = compileTimeInterval(spec);
  if (Array.isArray(c)) throw new Error(JSON.stringify(c));
  return c;
}
const at = (iso: string) => Date.parse(iso);

describe('times', () => {
  const ti = compile({ times: [{ start_time: '09:00', end_time: '17:00' }] });
  it('start is inclusive, end exclusive (UTC without a location)', () => {
    expect(intervalContains(ti, at('2026-12-07T08:59:59Z'))).toBe(false);
    expect(intervalContains(ti, at('2026-12-07T09:00:00Z'))).toBe(true);
    expect(intervalContains(ti, at('2026-12-07T16:59:59Z'))).toBe(true);
    expect(intervalContains(ti, at('2026-12-07T17:00:00Z'))).toBe(false);
  });
  it('24:00 ends at midnight', () => {
    const late = compile({ times: [{ start_time: '22:00', end_time: '24:00' }] });
    expect(intervalContains(late, at('2026-12-07T23:59:00Z'))).toBe(true);
    expect(intervalContains(late, at('2026-12-08T00:00:00Z'))).toBe(false);
  });
});

describe('weekdays, days_of_month, months, years', () => {
  it('weekday ranges and names, case-insensitive (2026-12-07 is a Monday)', () => {
    const ti = compile({ weekdays: ['Monday:wednesday', 'saturday'] });
    expect(intervalContains(ti, at('2026-12-07T12:00:00Z'))).toBe(true); // Mon
    expect(intervalContains(ti, at('2026-12-10T12:00:00Z'))).toBe(false); // Thu
    expect(intervalContains(ti, at('2026-12-12T12:00:00Z'))).toBe(true); // Sat
    expect(intervalContains(ti, at('2026-12-13T12:00:00Z'))).toBe(false); // Sun
  });
  it('negative days count from the month end; ranges clamp to the month', () => {
    const last = compile({ days_of_month: ['-1'] });
    expect(intervalContains(last, at('2027-02-28T10:00:00Z'))).toBe(true);
    expect(intervalContains(last, at('2028-02-28T10:00:00Z'))).toBe(false); // leap year: 29th is last
    expect(intervalContains(last, at('2028-02-29T10:00:00Z'))).toBe(true);
    const late = compile({ days_of_month: ['28:31'] });
    expect(intervalContains(late, at('2027-02-28T10:00:00Z'))).toBe(true);
    const lastWeek = compile({ days_of_month: ['-7:-1'] });
    expect(intervalContains(lastWeek, at('2026-12-25T00:00:00Z'))).toBe(true);
    expect(intervalContains(lastWeek, at('2026-12-24T23:59:00Z'))).toBe(false);
  });
  it('months by name or number, years inclusive', () => {
    const ti = compile({ months: ['1:3', 'december'], years: ['2026:2027'] });
    expect(intervalContains(ti, at('2026-12-01T00:00:00Z'))).toBe(true);
    expect(intervalContains(ti, at('2027-03-31T23:00:00Z'))).toBe(true);
    expect(intervalContains(ti, at('2027-04-01T00:00:00Z'))).toBe(false);
    expect(intervalContains(ti, at('2028-01-01T00:00:00Z'))).toBe(false);
  });
  it('every field must match', () => {
    const ti = compile({ weekdays: ['sunday'], times: [{ start_time: '02:00', end_time: '04:00' }] });
    expect(intervalContains(ti, at('2026-12-13T03:00:00Z'))).toBe(true); // Sun 03:00
    expect(intervalContains(ti, at('2026-12-14T03:00:00Z'))).toBe(false); // Mon 03:00
    expect(intervalContains(ti, at('2026-12-13T05:00:00Z'))).toBe(false);
  });
});

describe('location', () => {
  it('evaluates wall-clock time in the zone, across a DST change (Europe/London)', () => {
    const ti = compile({ times: [{ start_time: '09:00', end_time: '10:00' }], location: 'Europe/London' });
    expect(intervalContains(ti, at('2026-12-07T09:30:00Z'))).toBe(true); // GMT
    expect(intervalContains(ti, at('2026-07-07T09:30:00Z'))).toBe(false); // BST: 10:30 local
    expect(intervalContains(ti, at('2026-07-07T08:30:00Z'))).toBe(true);
  });
  it('a zone with a 45-minute offset (Pacific/Chatham)', () => {
    const ti = compile({ times: [{ start_time: '00:00', end_time: '00:15' }], location: 'Pacific/Chatham' });
    // 2026-07-07 (winter, +12:45): local midnight is 11:15 UTC the day before.
    expect(intervalContains(ti, at('2026-07-06T11:15:00Z'))).toBe(true);
    expect(intervalContains(ti, at('2026-07-06T11:30:00Z'))).toBe(false);
  });
});

describe('invalid intervals name the field and element', () => {
  it.each([
    [{ weekdays: ['monday', 'funday'] }, ['weekdays', 1], '"funday" is not a weekday'],
    [{ weekdays: ['friday:monday'] }, ['weekdays', 0], 'end day is before start day'],
    [{ times: [{ start_time: '17:00', end_time: '09:00' }] }, ['times', 0, 'end_time'], 'end_time must be after start_time'],
    [{ times: [{ start_time: '9:00', end_time: '10:00' }] }, ['times', 0, 'start_time'], 'is not a time'],
    [{ times: [{ start_time: '09:00', end_time: '24:01' }] }, ['times', 0, 'end_time'], 'is not a time'],
    [{ days_of_month: ['0'] }, ['days_of_month', 0], 'is not a day of the month'],
    [{ days_of_month: ['-3:5'] }, ['days_of_month', 0], 'end day must be negative'],
    [{ months: ['13'] }, ['months', 0], 'months are 1 to 12'],
    [{ years: ['2030:2020'] }, ['years', 0], 'end year is before start year'],
    [{ location: 'Mars/Olympus_Mons' }, ['location'], 'is not a time zone'],
  ] as Array<[TimeIntervalSpec, Array<string | number>, string]>)('%j', (spec, path, message) => {
    const c = compileTimeInterval(spec);
    expect(Array.isArray(c)).toBe(true);
    expect((c as Array<{ path: unknown; message: string }>)[0]).toEqual({ path, message: expect.stringContaining(message) });
  });
});

describe('nextChange', () => {
  it('finds the minute a window ends and starts', () => {
    const ti = [compile({ times: [{ start_time: '02:00', end_time: '04:00' }] })];
    expect(new Date(nextChange(ti, at('2026-12-07T03:10:30Z'), 86_400_000) as number).toISOString()).toBe('2026-12-07T04:00:00.000Z');
    expect(new Date(nextChange(ti, at('2026-12-07T04:10:00Z'), 86_400_000) as number).toISOString()).toBe('2026-12-08T02:00:00.000Z');
    expect(nextChange(ti, at('2026-12-07T04:10:00Z'), 3_600_000)).toBeUndefined();
  });
  it('stays cheap: a day of look-ahead in a DST zone is ~10 ms on an idle core (bound loose for a loaded one)', () => {
    const ti = [compile({ weekdays: ['saturday'], location: 'America/New_York' })];
    nextChange(ti, at('2026-11-07T12:00:00Z'), 86_400_000); // warm the zone's formatter
    const t = performance.now();
    nextChange(ti, at('2026-12-07T12:00:00Z'), 86_400_000);
    expect(performance.now() - t).toBeLessThan(250);
  });
});
