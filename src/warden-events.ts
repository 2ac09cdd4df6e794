import { EventEmitter } from 'node:events';
import type { AlertTransition } from './rules/alert';
import type { HealthTransition } from './health/health-types';
import type { AuditEntry } from './audit/audit-entry';

/**
 * The in-process bus between stages. Listeners must not throw (an EventEmitter listener that
 * throws would break the emitting stage); they hand work to queues and return.
 */
export interface WardenEventMap {
  /** An alert changed state (pending, firing, resolved). */
  alert: [AlertTransition];
  /** A component's (or the overall) health changed; already written to the event stream. */
  health: [HealthTransition];
  /** Rule files were (re)loaded. */
  'rules-loaded': [{ files: string[]; groups: number; rules: number; atMs: number }];
  /** An audit entry is in the log (remediation steps, incident transitions, operator actions). */
  audited: [AuditEntry];
}

export class WardenEvents extends EventEmitter<WardenEventMap> {
  constructor() {
    super({ captureRejections: false });
    this.setMaxListeners(50);
  }
}
