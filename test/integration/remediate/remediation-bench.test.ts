import { benchAlertToActiveP99Ms, benchJobsPerSecond } from '../../../bench/remediation-bench';
import { startRedis, type TestRedis } from '../../support/redis-server';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

// The figures themselves are for `npm run bench`; here only that the benchmarks run and clean up.
describe('remediation benchmarks', () => {
  it('jobs_per_s runs every job to completion and leaves no keys behind', async () => {
    expect(await benchJobsPerSecond(redis.url, { jobs: 60, concurrency: 8 })).toBeGreaterThan(0);
    expect(await redis.client().dbsize()).toBe(0);
  });

  it('alert-to-active latency reports a p99', async () => {
    expect(await benchAlertToActiveP99Ms(redis.url, { samples: 10 })).toBeGreaterThan(0);
  });
});
