import type { Labels } from '../signals/sample';

const SEPARATOR = 0xff;

/**
 * Alertmanager's label-set fingerprint: FNV-1a 64 over the sorted label names and values, each
 * followed by 0xff, printed as 16 hex digits. Computed in four 16-bit limbs (no BigInt on the hot path).
 */
export function fingerprint(labels: Labels): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const step = (byte: number): void => {
    h0 ^= byte;
    // multiply by the FNV prime 2^40 + 0x1b3
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
    h2 = t2 & 0xffff;
  };
  const feed = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) step(c);
      else for (const b of Buffer.from(text.slice(i, i + (c >= 0xd800 && c < 0xdc00 ? 2 : 1)), 'utf8')) step(b);
      if (c >= 0xd800 && c < 0xdc00) i++;
    }
  };
  for (const name of Object.keys(labels).sort()) {
    feed(name);
    step(SEPARATOR);
    feed(labels[name] as string);
    step(SEPARATOR);
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** FNV-1a 64 of raw text (used by tests to check the arithmetic against published vectors). */
export function fnv1a64Hex(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, 'utf8')) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}
