import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of `data` with `secret`, hex. */
export function hmacSha256Hex(secret: string, data: Buffer | string): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/**
 * Whether a presented hex digest equals the expected one, in constant time: timingSafeEqual on
 * buffers of equal length (a length mismatch is refused before comparing, which tells nothing:
 * every valid digest has the same length).
 */
export function sameDigest(expectedHex: string, presentedHex: string): boolean {
  if (!/^[0-9a-f]+$/i.test(presentedHex)) return false;
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(presentedHex.toLowerCase(), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
