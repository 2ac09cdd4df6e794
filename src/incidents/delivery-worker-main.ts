import { connectRedis } from '../runtime/redis-connection';
import type { Logger } from 'pino';
import { loadConfig, overridesFromEnv } from '../config/load-config';
import { errorMessage } from '../errors';
import { createChannelBreakers } from '../notify/channel-breakers';
import { createNotifiers } from '../notify/create-notifiers';
import { createLogger } from '../telemetry/logger';
import { DeliveryQueue } from './delivery-queue';
import { DeliveryWorker } from './delivery-worker';
import { IncidentStore } from './incident-store';

export interface StandaloneDeliveryWorker {
  readonly worker: DeliveryWorker;
  stop(): Promise<void>;
}

/**
 * The delivery worker as a process of its own, from warden.yaml (redis, notify.receivers): the
 * same jobs `warden start` delivers in-process. Used by the kill -9 test's child process.
 */
export async function runDeliveryWorker(opts: { configFile: string; log: Logger; lockDurationMs?: number; concurrency?: number }): Promise<StandaloneDeliveryWorker> {
  const config = loadConfig(opts.configFile, overridesFromEnv());
  if (!config.redis.url) throw new Error('no Redis: set redis.url in the config or REDIS_URL');
  const redis = connectRedis(config.redis.url, { maxRetriesPerRequest: 3 });
  const prefix = config.redis.prefix;
  const externalUrl = () => config.alertmanager.external_url ?? '';
  const notifiers = [...createNotifiers(config.notify.receivers, { breakers: createChannelBreakers(), configFile: opts.configFile, externalUrl }).values()].flat();
  const queue = new DeliveryQueue(redis, prefix);
  const worker = new DeliveryWorker({ redis, prefix, notifiers, store: new IncidentStore(redis, prefix), queue, log: opts.log, lockDurationMs: opts.lockDurationMs, concurrency: opts.concurrency });
  worker.start();
  let stopping: Promise<void> | undefined;
  return {
    worker,
    stop: () => (stopping ??= (async () => {
      await worker.stop();
      await queue.close();
      redis.disconnect();
    })()),
  };
}

// `node dist/incidents/delivery-worker-main.js warden.yaml [lockDurationMs] [concurrency]`
if (require.main === module) {
  const log = createLogger('info');
  const [configFile, lock, concurrency] = process.argv.slice(2);
  if (!configFile) {
    log.error('usage: delivery-worker-main <warden.yaml> [lockDurationMs] [concurrency]');
    process.exit(2);
  }
  runDeliveryWorker({ configFile, log, lockDurationMs: lock ? Number(lock) : undefined, concurrency: concurrency ? Number(concurrency) : undefined }).then(
    (w) => {
      log.info('delivery worker started');
      process.once('SIGTERM', () => void w.stop().then(() => process.exit(0)));
    },
    (err: unknown) => {
      log.error({ err: errorMessage(err) }, 'delivery worker failed to start');
      process.exit(1);
    },
  );
}
