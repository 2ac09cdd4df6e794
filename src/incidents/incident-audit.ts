import type { Logger } from 'pino';
import { errorMessage } from '../errors';
import type { Incident } from './incident';

/** The audit log's append (src/audit/audit-log.ts AuditLog), structurally. */
export interface AuditSink {
  /** `untilWritten`: keep the entry while Redis is unavailable and write it once it answers. */
  append(entry: { actor: string; action: string; target: string; details?: Record<string, unknown>; atMs?: number }, opts?: { untilWritten?: boolean }): Promise<unknown>;
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

  /** Nobody awaits it, so it is kept through a Redis outage and written with its original time (issue 9). */
  incident(actor: string, action: string, inc: Incident, details: Record<string, unknown>, atMs?: number): void {
    void this.entry({ actor, action, target: `incident/${inc.id}`, details: { ...details, severity: inc.severity, summary: inc.summary }, atMs }, { untilWritten: true });
  }

  async entry(entry: { actor: string; action: string; target: string; details: Record<string, unknown>; atMs?: number }, opts: { untilWritten?: boolean } = {}): Promise<void> {
    if (!this.#sink) return;
    try {
      await this.#sink.append(entry, opts);
    } catch (err) {
      this.#log.error({ err: errorMessage(err), action: entry.action }, 'audit append failed');
    }
  }
}
