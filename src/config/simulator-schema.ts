import { z } from 'zod';

/**
 * warden.yaml `simulator:` — the exchange simulator (issue 6) that `npm start` can run beside Warden,
 * so a newcomer sees a live exchange go Yellow and Red and be repaired.
 *
 * Port layout from `base_port` (see src/sim/port-layout.ts): base = supervisor control API,
 * base+1 = exchange admin (trading halt/resume), base+2.. = one per component.
 */
export const DEFAULT_SIM_BASE_PORT = 9300;

export const simulatorConfigSchema = z.strictObject({
  enabled: z.boolean().default(false),
  base_port: z.number().int().min(1).max(65535 - 16).default(DEFAULT_SIM_BASE_PORT),
  host: z.string().min(1).default('127.0.0.1'),
  log_dir: z.string().min(1).default('.warden/sim/logs'),
  /** Optional PostgreSQL URL: the idle_connections fault then really opens idle backends there. */
  postgres_url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL').optional(),
});

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;

export const simulatorConfigDefaults: SimulatorConfig = simulatorConfigSchema.parse({});
