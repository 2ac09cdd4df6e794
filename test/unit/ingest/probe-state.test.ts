import { INITIAL_PROBE_STATE, nextProbeState, type ProbeState } from '../../../src/ingest/probe-confirmation';

function run(results: boolean[], threshold = 3): Array<ProbeState['up']> {
  let state = INITIAL_PROBE_STATE;
  return results.map((ok) => (state = nextProbeState(state, ok, threshold)).up);
}

describe('component_up from consecutive probe results (spec §4.1)', () => {
  it('is unknown before any probe', () => {
    expect(INITIAL_PROBE_STATE.up).toBeUndefined();
  });

  it('is 1 after one success', () => {
    expect(run([true])).toEqual([1]);
  });

  it('stays 1 through two failures and is 0 at exactly the third', () => {
    expect(run([true, false, false, false])).toEqual([1, 1, 1, 0]);
  });

  it('stays unknown through failures below the threshold when nothing has succeeded', () => {
    expect(run([false, false, false])).toEqual([undefined, undefined, 0]);
  });

  it('starts counting afresh after a success', () => {
    expect(run([true, false, false, true, false, false, false])).toEqual([1, 1, 1, 1, 1, 1, 0]);
  });

  it('comes back to 1 after one success', () => {
    expect(run([false, false, false, false, true])).toEqual([undefined, undefined, 0, 0, 1]);
  });

  it('with a threshold of 1, the first failure is down', () => {
    expect(run([true, false], 1)).toEqual([1, 0]);
  });
});
