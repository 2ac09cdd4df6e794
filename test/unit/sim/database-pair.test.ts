import { DatabasePair } from '../../../src/sim/database-pair';
import { DatabaseRouting } from '../../../src/sim/database-routing';
import { parseFault } from '../../../src/sim/fault';

/** The simulator's database pair and the exchange's routing, with an injected clock. */
describe('simulated database pair', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('primary_down stops the leader; a failover moves the lock to a new timeline; the lost host rejoins as a replica after rejoin_after', () => {
    const pair = new DatabasePair(clock);
    expect(pair.leader()).toBe('db-primary');
    pair.primaryDown(1000);
    expect(pair.running('db-primary')).toBe(false);
    now += 5000;
    expect(pair.running('db-primary')).toBe(false); // no failover yet: it stays down
    expect(pair.failover({ candidate: 'db-replica' })).toEqual({ status: 200, text: 'Successfully failed over to "db-replica"' });
    expect(pair.status('db-replica')).toMatchObject({ role: 'primary', timeline: 2, state: 'running' });
    now += 999;
    expect(pair.running('db-primary')).toBe(false);
    now += 1;
    expect(pair.running('db-primary')).toBe(true);
    expect(pair.status('db-primary')).toMatchObject({ role: 'replica', timeline: 2 });
    expect(pair.leader()).toBe('db-replica');
  });

  it('refuses failovers Patroni refuses', () => {
    const pair = new DatabasePair(clock);
    expect(pair.failover({})).toMatchObject({ status: 400 });
    expect(pair.failover({ candidate: 'db-primary' })).toEqual({ status: 412, text: 'Switchover target and source are the same' });
    expect(pair.failover({ candidate: 'db-replica', leader: 'db-replica' })).toEqual({ status: 412, text: 'leader name does not match' });
  });

  it('primary_down exists only on database', () => {
    expect(parseFault({ kind: 'primary_down', component: 'database' })).toMatchObject({ rejoin_after_s: 1 });
    expect(() => parseFault({ kind: 'primary_down', component: 'settlement' })).toThrow(/primary_down exists only on database/);
  });
});

describe('exchange database routing', () => {
  it('one change per idempotency key, and a stale epoch is refused', () => {
    const r = new DatabaseRouting(() => 0);
    const body = { cluster: 'exchange-db', primary: { name: 'db-replica' }, epoch: 1 };
    expect(r.request('k1', body)).toMatchObject({ status: 200, body: { changed: true, primary: 'db-replica', epoch: 1 } });
    expect(r.request('k1', body)).toMatchObject({ status: 200, body: { repeated: true } });
    expect(r.request('k2', { ...body, primary: { name: 'db-primary' } })).toMatchObject({ status: 409, body: { error: { code: 'stale_epoch' } } });
    expect(r.request(undefined, body)).toMatchObject({ status: 400 });
    expect(r.snapshot()).toMatchObject({ primary: 'db-replica', epoch: 1, changes: 1 });
  });
});
