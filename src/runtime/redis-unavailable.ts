/**
 * True when a Redis command failed because Redis was not there (connection closed or refused,
 * retries exhausted, still loading its AOF after a restart), so the same write is worth making
 * again once Redis answers. Anything else (a wrong type, a bug in our own code) is not retried:
 * retrying it forever would block every write queued behind it.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // ioredis: MaxRetriesPerRequestError extends redis-errors' AbortError ("Command aborted due to connection close").
  if (err.name === 'AbortError' || err.name === 'MaxRetriesPerRequestError') return true;
  if (err.name === 'ReplyError') return /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN)\b/.test(err.message);
  return /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Command timed out|Socket closed unexpectedly/.test(err.message);
}
