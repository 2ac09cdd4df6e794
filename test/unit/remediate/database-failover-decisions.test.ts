import { errorResponseCode, judgeFirstMessage, startupMessage } from '../../../src/ingest/postgres-ping';
import { selectCandidate } from '../../../src/remediate/executors/failover/select-candidate';
import { probeEvidence } from '../../../src/remediate/probe-evidence';
import { SignalStore } from '../../../src/signals/signal-store';

/** The pure decisions under failover_database (issue 14 §3), with time injected. */

function errorResponse(fields: Record<string, string>): Buffer {
  const body = Buffer.concat([...Object.entries(fields).map(([k, v]) => Buffer.from(`${k}${v}\0`)), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

describe('pg_isready-style probe', () => {
  it('builds a protocol 3.0 StartupMessage with user and database', () => {
    const m = startupMessage('warden', 'exchange');
    expect(m.readInt32BE(0)).toBe(m.length);
    expect(m.readInt32BE(4)).toBe(196_608);
    expect(m.subarray(8).toString()).toBe('user\0warden\0database\0exchange\0application_name\0warden-probe\0\0');
  });

  it('an authentication request, or any error but 57P03, means the server is accepting connections', () => {
    expect(judgeFirstMessage(Buffer.from([0x52, 0, 0, 0, 12, 0, 0, 0, 10]))).toEqual({ ok: true });
    expect(judgeFirstMessage(errorResponse({ S: 'FATAL', C: '28000', M: 'role "x" does not exist' }))).toEqual({ ok: true });
    expect(judgeFirstMessage(errorResponse({ S: 'FATAL', C: '57P03', M: 'the database system is starting up' }))).toMatchObject({ ok: false, failure: 'rejected' });
  });

  it('waits for the whole first message, and refuses what is not PostgreSQL', () => {
    const full = errorResponse({ S: 'FATAL', C: '57P03' });
    expect(judgeFirstMessage(full.subarray(0, 7))).toBeUndefined();
    expect(errorResponseCode(full.subarray(5))).toBe('57P03');
    expect(judgeFirstMessage(Buffer.from('HTTP/1.1 400 Bad'))).toMatchObject({ ok: false, failure: 'connection_error' });
  });
});

describe('candidate selection', () => {
  const replica = (node: string, receivedLsn: number, replayLagBytes = 0) => ({ node, reachable: true, role: 'replica' as const, receivedLsn, replayLagBytes, detail: node });
  it('never the old primary; the replica with the most WAL received; the preferred one when fit', () => {
    const looks = [{ node: 'a', reachable: false, detail: 'a: ECONNREFUSED' }, replica('b', 100), replica('c', 300)];
    expect(selectCandidate(looks, 'a', 1000)).toMatchObject({ ok: true, candidate: { node: 'c' } });
    expect(selectCandidate(looks, 'a', 1000, 'b')).toMatchObject({ ok: true, candidate: { node: 'b' } });
  });
  it('a replica with too much WAL still to replay, or one that is itself a primary, is unfit; unreachable ones are worth a retry', () => {
    expect(selectCandidate([replica('b', 100, 5000)], 'a', 1000)).toEqual({ ok: false, unreachableOnly: false, reasons: ['b has 5000 bytes of WAL still to replay (max_replay_lag 1000)'] });
    expect(selectCandidate([{ node: 'b', reachable: true, role: 'primary', detail: 'b is a primary' }], 'a', 1000)).toMatchObject({ ok: false, unreachableOnly: false });
    expect(selectCandidate([{ node: 'b', reachable: false, detail: 'b: ECONNREFUSED' }], 'a', 1000)).toEqual({ ok: false, unreachableOnly: true, reasons: ['b: ECONNREFUSED'] });
  });
});

describe('probe evidence', () => {
  const store = new SignalStore({ windowMs: 60_000, maxPointsPerSeries: 10, stalenessMs: 60_000 });
  let now = 10_000;
  const evidence = probeEvidence(store, () => now, () => 2000);
  it('down only with component_up 0 and a recent failed probe', () => {
    expect(evidence('db')).toMatchObject({ down: false, detail: 'db has no probe result yet' });
    store.appendRaw('probe_success', { component: 'db' }, 0, 9_000);
    store.appendRaw('component_up', { component: 'db' }, 1, 9_000);
    expect(evidence('db')).toMatchObject({ down: false, detail: expect.stringMatching(/up by its probes/) });
    store.appendRaw('probe_success', { component: 'db' }, 0, 9_500);
    store.appendRaw('component_up', { component: 'db' }, 0, 9_500);
    expect(evidence('db').down).toBe(true);
    now = 12_000;
    expect(evidence('db')).toMatchObject({ down: false, detail: expect.stringMatching(/2500 ms old/) });
  });
});
