import type { Labels } from '../signals/sample';
import { setLabel } from './exposition-parser';

/**
 * Puts a scrape target's labels on an exposed series as Prometheus does with honor_labels: false:
 * the target's labels win, and an exposed label they clash with is kept as exported_<name>
 * (exported_exported_<name> if that is taken too). Empty values mean "no label", as in PromQL.
 */
export function applyTargetLabels(exposed: Labels, target: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(exposed)) {
    const value = exposed[name] as string;
    if (value !== '') setLabel(out, name, value);
  }
  const conflicts: Array<[string, string]> = [];
  for (const name of Object.keys(target)) {
    if (Object.hasOwn(out, name)) conflicts.push([name, out[name] as string]);
    const value = target[name] as string;
    if (value === '') delete out[name];
    else setLabel(out, name, value);
  }
  // Prometheus resolves shorter names first so exported_ chains are deterministic.
  conflicts.sort((a, b) => a[0].length - b[0].length);
  for (const [name, value] of conflicts) {
    let renamed = `exported_${name}`;
    while (Object.hasOwn(out, renamed)) renamed = `exported_${renamed}`;
    setLabel(out, renamed, value);
  }
  return out;
}

/** `host:port` of a target URL, with the scheme's default port made explicit. */
export function instanceOf(url: string): string {
  const u = new URL(url);
  const port = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
  return `${u.hostname}:${port}`;
}
