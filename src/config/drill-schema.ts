import { z } from 'zod';
import { httpUrl } from './schema-types';

/**
 * warden.yaml `drill:` — where `warden drill` injects its faults (issue 14 §1). Without
 * `fault_hooks_url` the drill uses the simulator of `simulator:` (started if it is not running).
 * With it, the drill talks to an exchange's own fault-injection API, which speaks the simulator's
 * control API: POST /faults {kind, component, ...}, POST /faults/clear {component[, kind]},
 * GET /status {components: [{name, state}]}, POST /control/restart/<component>.
 */
export const drillConfigSchema = z.strictObject({
  /** An exchange's fault hooks (the simulator's control API shape); unset: the simulator. */
  fault_hooks_url: httpUrl().optional(),
});

export type DrillConfig = z.output<typeof drillConfigSchema>;
