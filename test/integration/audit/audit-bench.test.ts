import { benchAuditAppendsPerSecond } from '../../../bench/remediation-bench';
import { startRedis, type TestRedis } from '../../support/redis-server';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

// The figure itself is for the benchmark run; here only that it runs, checks its chain and cleans up.
describe('audit appends/s benchmark', () => {
  test.each([1, 2])('with %i writer(s) it appends every entry to one valid chain and leaves no keys behind', async (writers) => {
    expect(await benchAuditAppendsPerSecond(redis.url, { appends: 400, writers, inFlightPerWriter: 16 })).toBeGreaterThan(0);
    expect(await redis.client().dbsize()).toBe(0);
  });
});
