import type Redis from 'ioredis';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log';
import type { WardenConfig } from '../config/schema';
import type { Authenticator } from '../http/auth';
import { maintenanceRoutes } from '../http/routes/maintenance';
import { MaintenanceWindows } from '../maintenance/maintenance-windows';

export interface MaintenanceDeps {
  config: WardenConfig;
  redis: Redis;
  auth: Authenticator;
  audit: AuditLog;
  log: Logger;
  clock: () => number;
}

export interface Maintenance {
  readonly windows: MaintenanceWindows;
  readonly routers: Router[];
  /** Wires what a window's end wakes: held remediation jobs (the incidents notice on their own tick). */
  wakeOnEnd(release: () => Promise<unknown>): void;
  stop(): void;
}

/** Issue 13 §3: warden.yaml `maintenance:` plus /v1/maintenance; started before paging and remediation, which ask it. */
export async function startMaintenance(d: MaintenanceDeps): Promise<Maintenance> {
  const log = d.log.child({ stage: 'maintenance' });
  const windows = new MaintenanceWindows({ redis: d.redis, prefix: d.config.redis.prefix, configured: d.config.maintenance, audit: d.audit, log, clock: d.clock });
  await windows.start();
  return {
    windows,
    routers: [maintenanceRoutes({ auth: d.auth, maintenance: windows, clock: d.clock })],
    wakeOnEnd(release) {
      windows.onEnded((ids) => {
        release().then(
          (woken) => log.info({ windows: ids, woken }, 'maintenance window over: held remediations woken to re-check their alert'),
          (err: unknown) => log.error({ err, windows: ids }, 'could not wake held remediations; they re-check within 5 min'),
        );
      });
      // Windows that ended while Warden was down: held jobs look again now.
      void release().catch((err: unknown) => log.error({ err }, 'could not wake held remediations at start'));
    },
    stop: () => windows.stop(),
  };
}
