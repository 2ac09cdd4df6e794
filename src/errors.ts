/**
 * Typed errors. `name` is set explicitly so checks by name survive process and queue boundaries
 * (as BullMQ's UnrecoverableError does).
 */

/** Worth retrying: timeouts, refused connections, 5xx, 429 (spec §3.1). */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Retrying cannot help: bad input, 4xx, missing permissions. Stops retries at once. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** A configuration or rule file is wrong. Names where, so the author can fix it. */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly field: string | undefined;
  readonly detail: string;
  constructor(detail: string, where: { file: string; line?: number; column?: number; field?: string }) {
    const pos = where.line !== undefined ? `:${where.line}${where.column !== undefined ? `:${where.column}` : ''}` : '';
    const field = where.field ? ` ${where.field}:` : '';
    super(`${where.file}${pos}:${field} ${detail}`);
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.field = where.field;
    this.detail = detail;
  }
}

/** A request a client sent is wrong. Rendered by the HTTP layer as the one error shape. */
export class RequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly index: number | undefined;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, where: { index?: number; field?: string } = {}) {
    super(message);
    this.name = 'RequestError';
    this.status = status;
    this.code = code;
    this.index = where.index;
    this.field = where.field;
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof Error && err.name === 'TransientError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
