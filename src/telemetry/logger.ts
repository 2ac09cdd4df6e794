import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

export type { Logger };

/** `json`: one pino JSON object per line (what log shippers and `audit verify --anchors` read); `pretty`: for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * Warden's logger. The format is chosen once by the caller (the CLI: pretty on a terminal, JSON
 * otherwise); pretty lines go through pino-pretty synchronously on this thread, which is fine for
 * a terminal's rate and keeps the order of lines with anything else written to stdout.
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const options = { level, base: { service: 'warden' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'pretty' && destination === undefined) {
    // Loaded only for a terminal: every other process (restart commands, workers) skips its start-up cost.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as typeof PinoPretty;
    return pino(options, pretty({ colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
  }
  return pino(options, destination);
}

/** Pretty when `stream` is a terminal, JSON otherwise; `WARDEN_LOG_FORMAT` (read by the CLI) overrides. */
export function logFormatFor(stream: { isTTY?: boolean }, override?: string): LogFormat {
  if (override === 'json' || override === 'pretty') return override;
  return stream.isTTY === true ? 'pretty' : 'json';
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
