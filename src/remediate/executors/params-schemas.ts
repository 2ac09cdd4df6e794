import type { ZodType } from 'zod';
import type { RemediationAction } from '../executor';
import { archiveLogsParamsSchema } from './archive-logs/archive-logs-params';
import { failoverDatabaseParamsSchema } from './failover/failover-database';
import { haltTradingParamsSchema } from './halt-trading';
import { reapConnectionsParamsSchema } from './reap-connections-params';
import { restartParamsSchema } from './restart/restart-params';

/** Per-action params schemas, so rule loading rejects bad `params` at load time with file:line. */
export const executorParamsSchemas: Record<RemediationAction, ZodType> = {
  restart: restartParamsSchema,
  reap_connections: reapConnectionsParamsSchema,
  archive_logs: archiveLogsParamsSchema,
  halt_trading: haltTradingParamsSchema,
  failover_database: failoverDatabaseParamsSchema,
};
