import type { SimComponentName } from './components';
import type { Fault, FaultKind } from './fault';

/** What the supervisor passes a component process (as JSON in argv[2]). */
export interface ComponentProcessOptions {
  readonly component: SimComponentName;
  readonly host: string;
  /** 0 = any free port; a restarted component gets the port it had before. */
  readonly port: number;
  readonly logDir: string;
  readonly diskCapacityBytes: number;
  readonly maxLogFileBytes: number;
  readonly postgresUrl?: string;
}

/** Exit code a component uses for "restart me" (POST /admin/restart); any other exit is a crash. */
export const RESTART_EXIT_CODE = 75;

export type SupervisorRequest =
  | { type: 'fault'; id: number; fault: Fault }
  | { type: 'clear'; id: number; kind?: FaultKind }
  | { type: 'status'; id: number };

export interface ComponentStatus {
  readonly faults: Fault[];
  readonly metrics: Record<string, number>;
  readonly healthy: boolean;
}

export type ComponentMessage =
  | { type: 'ready'; port: number }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: { status: number; code: string; message: string } };
