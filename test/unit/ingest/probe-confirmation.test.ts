import { ProbeConfirmation } from '../../../src/ingest/probe-confirmation';

const T0 = 1_700_000_000_000;
const config = { intervalMs: 5000, confirmIntervalMs: 250, failureThreshold: 3 };

/** Runs probes at their due times with the given results; returns [startedAt - T0, up] per probe. */
function drive(m: ProbeConfirmation, results: boolean[], probeMs = 5): Array<[number, 0 | 1 | undefined]> {
  return results.map((ok) => {
    const at = m.dueAtMs;
    const state = m.recordProbe(ok, at, at + probeMs);
    return [at - T0, state.up];
  });
}

describe('fast failure confirmation (issue 14 §2, spec §4.1)', () => {
  it('after a first failure re-probes every confirm_interval until the third failure marks it down', () => {
    const m = new ProbeConfirmation(config, T0);
    expect(drive(m, [true, false, false, false])).toEqual([[0, 1], [5000, 1], [5250, 1], [5500, 0]]);
    // Down: back to the steady interval (the next success brings it up).
    expect(m.dueAtMs - T0).toBe(10_500);
    expect(m.pace(m.dueAtMs)).toBe('steady');
  });

  it('one dropped probe is confirmed up by the next fast probe, then steady again: never down', () => {
    const m = new ProbeConfirmation(config, T0);
    expect(drive(m, [true, false, true, true])).toEqual([[0, 1], [5000, 1], [5250, 1], [10_250, 1]]);
    expect(m.state.consecutiveFailures).toBe(0);
  });

  it('two failures, a success, two failures: never three in a row, never down', () => {
    const m = new ProbeConfirmation(config, T0);
    const ups = drive(m, [true, false, false, true, false, false, true]).map(([, up]) => up);
    expect(ups).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('a failed scrape brings the next probe forward but is not a failure', () => {
    const m = new ProbeConfirmation(config, T0);
    drive(m, [true]);
    // 1 s after the probe the scrape is refused: probe now, not at T0 + 5 s.
    expect(m.corroborateFailure(T0 + 1000)).toBe(true);
    expect(m.dueAtMs).toBe(T0 + 1000);
    expect(m.state).toEqual({ up: 1, consecutiveFailures: 0 });
    // Within confirm_interval of the last probe it waits for the confirm pace.
    const m2 = new ProbeConfirmation(config, T0);
    drive(m2, [true]);
    m2.corroborateFailure(T0 + 100);
    expect(m2.dueAtMs).toBe(T0 + 250);
  });

  it('a failed scrape of a component already down changes nothing', () => {
    const m = new ProbeConfirmation(config, T0);
    drive(m, [false, false, false]);
    const due = m.dueAtMs;
    expect(m.corroborateFailure(due - 1000)).toBe(false);
    expect(m.dueAtMs).toBe(due);
  });

  it('a target being verified is probed at the confirm pace until verification ends', () => {
    const m = new ProbeConfirmation(config, T0);
    drive(m, [false, false, false]); // down at T0+500
    expect(m.verifyUntil(T0 + 60_000, T0 + 600)).toBe(true);
    expect(m.dueAtMs).toBe(T0 + 750);
    expect(drive(m, [false, false, true])).toEqual([[750, 0], [1000, 0], [1250, 1]]);
    expect(m.dueAtMs - T0).toBe(1500); // still verifying
    m.endVerify();
    expect(drive(m, [true])).toEqual([[1500, 1]]);
    expect(m.dueAtMs - T0).toBe(6500);
  });

  it('verification expires on its own at untilMs', () => {
    const m = new ProbeConfirmation(config, T0);
    drive(m, [true]);
    m.verifyUntil(T0 + 600, T0 + 300);
    expect(drive(m, [true, true, true])).toEqual([[300, 1], [550, 1], [800, 1]]);
    expect(m.dueAtMs - T0).toBe(5800);
  });

  it('never confirms slower than the steady interval', () => {
    const m = new ProbeConfirmation({ intervalMs: 100, confirmIntervalMs: 250, failureThreshold: 3 }, T0);
    expect(drive(m, [false, false, false])).toEqual([[0, undefined], [100, undefined], [200, 0]]);
  });
});
