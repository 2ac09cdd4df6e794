import { hmacSha256Hex, sameDigest } from './hmac-compare';

/** At most this many signatures are looked at: PagerDuty sends one per secret it holds (two while rotating). */
const MAX_SIGNATURES = 8;

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'unsigned' | 'malformed_signature' | 'bad_signature' };

/**
 * PagerDuty webhooks v3 (docs/webhooks/04-Signatures.md): `X-PagerDuty-Signature` is a
 * comma-separated list of `v1=<hex HMAC-SHA256 of the raw body>`; the request is genuine if any of
 * them matches any of our secrets. Every pair is compared, in constant time, over the raw bytes.
 */
export function checkPagerDutySignature(header: string | string[] | undefined, rawBody: Buffer, secrets: readonly string[]): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'unsigned' };
  if (Array.isArray(header)) return { ok: false, reason: 'malformed_signature' };
  const presented = header.split(',').map((s) => s.trim()).filter((s) => s.length > 0).slice(0, MAX_SIGNATURES);
  const v1 = presented.filter((s) => s.startsWith('v1=')).map((s) => s.slice(3));
  if (v1.length === 0) return { ok: false, reason: 'malformed_signature' };
  const expected = secrets.map((s) => hmacSha256Hex(s, rawBody));
  let matched = false;
  // No early exit: the time taken does not say which signature or secret matched.
  for (const e of expected) for (const p of v1) if (sameDigest(e, p)) matched = true;
  return matched ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
