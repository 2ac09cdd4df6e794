import { hmacSha256Hex, sameDigest } from './hmac-compare';

export type SlackSignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'unsigned' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature' };

/**
 * Slack request signing: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}">`
 * with the app's signing secret, `X-Slack-Request-Timestamp` in Unix seconds. A timestamp more than
 * `maxAgeMs` away from now, in either direction, is refused (bolt-js checks only the past).
 */
export function checkSlackSignature(
  headers: { signature: string | string[] | undefined; timestamp: string | string[] | undefined },
  rawBody: Buffer,
  secret: string,
  nowMs: number,
  maxAgeMs: number,
): SlackSignatureCheck {
  const { signature, timestamp } = headers;
  if (signature === undefined || timestamp === undefined || signature === '' || timestamp === '') return { ok: false, reason: 'unsigned' };
  if (Array.isArray(signature) || Array.isArray(timestamp) || !/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0=')) return { ok: false, reason: 'malformed_signature' };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > maxAgeMs) return { ok: false, reason: 'stale_timestamp' };
  const base = Buffer.concat([Buffer.from(`v0:${timestamp}:`, 'utf8'), rawBody]);
  return sameDigest(hmacSha256Hex(secret, base), signature.slice(3)) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
