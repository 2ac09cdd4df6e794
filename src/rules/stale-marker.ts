/**
 * Prometheus' staleness marker (value.StaleNaN, bits 0x7ff0000000000002): a NaN with a payload that
 * says "this series ended here", so an instant selector stops returning it at once instead of after
 * the lookback window. The signal store keeps NaN payloads (Float64Array stores bits as given), but a
 * plain JS array of doubles may canonicalise them: pass the marker straight to the store.
 */
const bits = new DataView(new ArrayBuffer(8));
bits.setUint32(0, 0x7ff00000);
bits.setUint32(4, 0x00000002);
export const STALE_NAN: number = bits.getFloat64(0);

export function isStaleMarker(value: number): boolean {
  if (value === value) return false; // fast path: not NaN
  bits.setFloat64(0, value);
  return bits.getUint32(0) === 0x7ff00000 && bits.getUint32(4) === 0x00000002;
}
