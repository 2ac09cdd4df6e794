/**
 * Canonical JSON: object keys sorted (recursively), no whitespace, undefined members dropped.
 * The audit hash must not depend on key order, which differs between writers and JSON parsers.
 * Built by concatenation rather than map/filter/join: it runs for every audit entry, on the
 * remediation worker's hot path. The output must never change (stored hashes depend on it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}
