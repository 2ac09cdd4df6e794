import { verifyWithin } from '../../../src/remediate/verify';

describe('verification after acting', () => {
  it('holds as soon as the check is true', async () => {
    let calls = 0;
    const out = await verifyWithin(() => ++calls >= 3, 'up == 1', { withinMs: 2000, clock: Date.now, pollMs: 10 });
    expect(out).toMatchObject({ held: true, checks: 3 });
  });

  it('fails once `within` passes without the check holding', async () => {
    const out = await verifyWithin(async () => false, 'up == 1', { withinMs: 60, clock: Date.now, pollMs: 10 });
    expect(out.held).toBe(false);
    expect(out.elapsedMs).toBeGreaterThanOrEqual(60);
  });

  it('counts a check that throws as not holding, and says why', async () => {
    const out = await verifyWithin(() => {
      throw new Error('no such metric');
    }, 'nope', { withinMs: 20, clock: Date.now, pollMs: 5 });
    expect(out).toMatchObject({ held: false, lastError: 'no such metric' });
  });

  it('receives the expression it is asked to verify', async () => {
    const seen: string[] = [];
    await verifyWithin((e) => (seen.push(e), true), 'component_up{component="db"} == 1', { withinMs: 10, clock: Date.now });
    expect(seen).toEqual(['component_up{component="db"} == 1']);
  });
});
