import { RequestError } from '../../../src/errors';
import { IDEMPOTENCY_TTL_MS, TradingDesk } from '../../../src/sim/trading-desk';

function desk() {
  let now = Date.UTC(2026, 0, 1);
  return { d: new TradingDesk(() => now), advance: (ms: number) => (now += ms) };
}

describe('the exchange trading switch', () => {
  it('starts running', () => {
    expect(desk().d.snapshot()).toMatchObject({ state: 'running', halts: 0, resumes: 0 });
  });

  it('the same Idempotency-Key gives the same response and halts only once', () => {
    const { d } = desk();
    const first = d.request('halt', 'inc-1', { reason: 'invariant violation', incident: 'inc-1' });
    const again = d.request('halt', 'inc-1', { reason: 'invariant violation', incident: 'inc-1' });
    expect(first.body).toMatchObject({ state: 'halted', changed: true, halts: 1 });
    expect({ ...again.body, replayed: undefined }).toEqual({ ...first.body, replayed: undefined });
    expect(again.body.replayed).toBe(true);
    expect(d.snapshot().halts).toBe(1);
  });

  it('a key reused for a different request is refused with 422 and changes nothing', () => {
    const { d } = desk();
    d.request('halt', 'k', { reason: 'a' });
    expect(() => d.request('resume', 'k', { reason: 'a' })).toThrow(expect.objectContaining({ status: 422, code: 'idempotency_key_reused' }));
    expect(d.snapshot().state).toBe('halted');
  });

  it('a request without an Idempotency-Key is a 400', () => {
    const { d } = desk();
    expect(() => d.request('halt', undefined, { reason: 'a' })).toThrow(RequestError);
    expect(d.snapshot().state).toBe('running');
  });

  it('a halt without a reason is a 400 and changes nothing', () => {
    const { d } = desk();
    expect(() => d.request('halt', 'k', {})).toThrow(expect.objectContaining({ status: 400, field: 'reason' }));
    expect(d.snapshot().halts).toBe(0);
  });

  it('halting a halted exchange succeeds without a second effect', () => {
    const { d } = desk();
    d.request('halt', 'a', { reason: 'x' });
    const second = d.request('halt', 'b', { reason: 'y' });
    expect(second.body).toMatchObject({ state: 'halted', changed: false, halts: 1, reason: 'x' });
  });

  it('keys are forgotten after 24 h (spec §3.2)', () => {
    const { d, advance } = desk();
    d.request('halt', 'k', { reason: 'x' });
    d.request('resume', 'r', { reason: 'ok' });
    advance(IDEMPOTENCY_TTL_MS - 1);
    expect(d.request('halt', 'k', { reason: 'x' }).body.replayed).toBe(true);
    advance(1);
    expect(d.request('halt', 'k', { reason: 'x' }).body).toMatchObject({ changed: true, halts: 2 });
  });
});
