import type { Logger } from 'pino';
import { errorMessage } from '../errors';
import type { Incident } from './incident';

/** The audit log's append (src/audit/audit-log.ts AuditLog), structurally. */
export interface AuditSink {
  append(entry: { actor: string; action: string; target: string; details?: Record<string, unknown> }): Promise<unknown>;
}

/**
 * Records incident transitions and operator actions (spec §2.1 "Auditable"). An audit failure is
 * logged, never thrown: a page must not wait on, or fail for, the audit log.
 */
export class IncidentAudit {
  readonly #sink: AuditSink | undefined;
  readonly #log: Logger;

  constructor(sink: AuditSink | undefined, log: Logger) {
    this.#sink = sink;
    this.#log = log;
  }

  incident(actor: string, action: string, inc: Incident, details: Record<string, unknown>): void {
    void this.entry({ actor, action, target: `incident/${inc.id}`, details: { ...details, severity: inc.severity, summary: inc.summary } });
  }

  async entry(entry: { actor: string; action: string; target: string; details: Record<string, unknown> }): Promise<void> {
    if (!this.#sink) return;
    try {
      await this.#sink.append(entry);
    } catch (err) {
      this.#log.error({ err: errorMessage(err), action: entry.action }, 'audit append failed');
    }
  }
}
