import { parseSentinelUrl, redisOptionsFor, sentinelUrl } from '../../../src/runtime/redis-connection';
import { ConfigError } from '../../../src/errors';

describe('redis+sentinel:// (one string for a Sentinel master group)', () => {
  it('round-trips sentinels, the master name and a database number', () => {
    expect(parseSentinelUrl(sentinelUrl(['10.0.0.1:26379', '[::1]:26380'], 'orders'))).toEqual({ sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }], name: 'orders', db: 0 });
    expect(parseSentinelUrl('redis+sentinel://h:1/m/3').db).toBe(3);
  });

  it('gives ioredis sentinel options that follow a promotion; a plain URL passes through', () => {
    const o = redisOptionsFor('redis+sentinel://h:26379/m', { maxRetriesPerRequest: null });
    expect(o).toMatchObject({ sentinels: [{ host: 'h', port: 26379 }], name: 'm', db: 0, maxRetriesPerRequest: null, failoverDetector: true });
    expect(typeof o.reconnectOnError === 'function' && o.reconnectOnError(new Error('READONLY You can\'t write against a read only replica.'))).toBe(true);
    expect(redisOptionsFor('redis://h:1', { lazyConnect: true })).toEqual({ lazyConnect: true });
  });

  it.each(['redis+sentinel://', 'redis+sentinel://h:1', 'redis+sentinel://h/m', 'redis+sentinel://h:99999/m', 'redis+sentinel://h:1/m/x', 'redis+sentinel://h:1/m/0/extra'])('%s is refused', (url) => {
    expect(() => parseSentinelUrl(url)).toThrow(ConfigError);
  });
});
