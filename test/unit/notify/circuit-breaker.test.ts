import { PermanentError, TransientError, isTransient } from '../../../src/errors';
import { BreakerOpenError, CircuitBreaker, isBreakerOpen, type BreakerStateChange } from '../../../src/notify/circuit-breaker';

function setup() {
  let nowMs = 0;
  const clock = { now: () => nowMs, advance: (ms: number) => (nowMs += ms), set: (ms: number) => (nowMs = ms) };
  const breaker = new CircuitBreaker({ name: 'pagerduty', clock: clock.now });
  const changes: BreakerStateChange[] = [];
  breaker.on('stateChange', (c) => changes.push(c));
  return { clock, breaker, changes };
}

const ok = () => Promise.resolve('delivered');
const down = () => Promise.reject(new TransientError('connection refused'));

async function failAt(breaker: CircuitBreaker, clock: { set: (ms: number) => void }, timesMs: number[]): Promise<void> {
  for (const t of timesMs) {
    clock.set(t);
    await breaker.execute(down).catch(() => undefined);
  }
}

async function open(breaker: CircuitBreaker, clock: { set: (ms: number) => void }): Promise<void> {
  await failAt(breaker, clock, [0, 1, 2, 3, 4]);
}

describe('CircuitBreaker (spec §3.2: open after 5 failures in 10 s, half-open after 30 s, close after 3 successes)', () => {
  it('starts closed and passes results and errors through', async () => {
    const { breaker } = setup();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('delivered');
    await expect(breaker.execute(down)).rejects.toThrow('connection refused');
    expect(breaker.state).toBe('closed');
  });

  it('4 failures in 10 s keep it closed', async () => {
    const { breaker, clock } = setup();
    await failAt(breaker, clock, [0, 2500, 5000, 7500]);
    expect(breaker.state).toBe('closed');
  });

  it('5 failures within exactly 10 s open it', async () => {
    const { breaker, clock, changes } = setup();
    await failAt(breaker, clock, [0, 2500, 5000, 7500, 10_000]);
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([{ name: 'pagerduty', from: 'closed', to: 'open', atMs: 10_000, reason: '5 failures in 10000 ms' }]);
  });

  it('5 failures spread over 10.001 s do not open it (the first has left the window)', async () => {
    const { breaker, clock, changes } = setup();
    await failAt(breaker, clock, [0, 2500, 5000, 7500, 10_001]);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('successes between failures do not reset the window (a flapping channel still opens it)', async () => {
    const { breaker, clock } = setup();
    for (const t of [0, 1000, 2000, 3000]) {
      clock.set(t);
      await breaker.execute(down).catch(() => undefined);
      await breaker.execute(ok);
    }
    await failAt(breaker, clock, [4000]);
    expect(breaker.state).toBe('open');
  });

  it('permanent errors (the channel answered) do not count as failures', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 10; i++) await breaker.execute(() => Promise.reject(new PermanentError('400 invalid event'))).catch(() => undefined);
    expect(breaker.state).toBe('closed');
  });

  it('while open it rejects at once with a transient BreakerOpenError, without calling the channel', async () => {
    const { breaker, clock } = setup();
    await open(breaker, clock);
    clock.set(10_004);
    let called = false;
    const err = await breaker.execute(() => { called = true; return ok(); }).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toBeInstanceOf(BreakerOpenError);
    expect(isTransient(err)).toBe(true);
    expect(isBreakerOpen(err)).toBe(true);
    expect((err as BreakerOpenError).retryAfterMs).toBe(20_000);
  });

  it('stays open for 29.999 s and is half-open at 30 s', async () => {
    const { breaker, clock, changes } = setup();
    await open(breaker, clock);
    clock.set(4 + 29_999);
    expect(breaker.state).toBe('open');
    clock.set(4 + 30_000);
    expect(breaker.state).toBe('half-open');
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'half-open', reason: 'open for 30000 ms' });
  });

  it('closes after 3 consecutive successes in half-open, not before', async () => {
    const { breaker, clock, changes } = setup();
    await open(breaker, clock);
    clock.set(30_004);
    await breaker.execute(ok);
    await breaker.execute(ok);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => c.to)).toEqual(['open', 'half-open', 'closed']);
    expect(changes.at(-1)!.reason).toBe('3 successes in half-open');
  });

  it('any failure in half-open re-opens it for another 30 s', async () => {
    const { breaker, clock, changes } = setup();
    await open(breaker, clock);
    clock.set(30_004);
    await breaker.execute(ok);
    await breaker.execute(ok);
    await breaker.execute(down).catch(() => undefined);
    expect(breaker.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({ from: 'half-open', to: 'open', reason: 'failure in half-open' });
    clock.set(30_004 + 29_999);
    expect(breaker.state).toBe('open');
    clock.set(30_004 + 30_000);
    expect(breaker.state).toBe('half-open');
  });

  it('a closed breaker starts counting failures afresh', async () => {
    const { breaker, clock } = setup();
    await open(breaker, clock);
    clock.set(30_004);
    for (let i = 0; i < 3; i++) await breaker.execute(ok);
    await failAt(breaker, clock, [30_005, 30_006, 30_007, 30_008]);
    expect(breaker.state).toBe('closed');
    await failAt(breaker, clock, [30_009]);
    expect(breaker.state).toBe('open');
  });

  it('in half-open one trial runs at a time; a concurrent call is rejected', async () => {
    const { breaker, clock } = setup();
    await open(breaker, clock);
    clock.set(30_004);
    let finish!: () => void;
    const trial = breaker.execute(() => new Promise<void>((resolve) => { finish = resolve; }));
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BreakerOpenError);
    finish();
    await trial;
    await expect(breaker.execute(ok)).resolves.toBe('delivered');
  });

  it('a failure from a call started before the breaker opened does not count again', async () => {
    const { breaker, clock } = setup();
    let failLate!: () => void;
    const late = breaker.execute(() => new Promise<void>((_, reject) => { failLate = () => reject(new TransientError('late')); }));
    await open(breaker, clock);
    clock.set(30_004);
    expect(breaker.state).toBe('half-open');
    failLate();
    await late.catch(() => undefined);
    expect(breaker.state).toBe('half-open');
  });

  it('takes its numbers from options', async () => {
    let nowMs = 0;
    const breaker = new CircuitBreaker({ name: 'slack', clock: () => nowMs, failureThreshold: 2, windowMs: 1000, openMs: 500, halfOpenSuccesses: 1 });
    await breaker.execute(down).catch(() => undefined);
    await breaker.execute(down).catch(() => undefined);
    expect(breaker.state).toBe('open');
    nowMs = 500;
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });
});
