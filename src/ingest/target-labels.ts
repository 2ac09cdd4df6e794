import type { Labels } from '../signals/sample';

/**
 * Puts a scrape target's labels on an exposed series as Prometheus does with honor_labels: false:
 * the target's labels win, and an exposed label they clash with is kept as exported_<name>
 * (exported_exported_<name> if that is taken too). Empty values mean "no label", as in PromQL.
 */
export function applyTargetLabels(exposed: Labels, target: Labels): Record<string, string> {
  // Null prototype, so a label named __proto__ stays an ordinary label.
  const out = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(exposed)) {
    const value = exposed[name] as string;
    if (value !== '') out[name] = value;
  }
  const conflicts: Array<[string, string]> = [];
  for (const name of Object.keys(target)) {
    const exposedValue = out[name];
    if (exposedValue !== undefined) conflicts.push([name, exposedValue]);
    const value = target[name] as string;
    if (value === '') delete out[name];
    else out[name] = value;
  }
  // Prometheus resolves shorter names first so exported_ chains are deterministic.
  conflicts.sort((a, b) => a[0].length - b[0].length);
  for (const [name, value] of conflicts) {
    let renamed = `exported_${name}`;
    while (out[renamed] !== undefined) renamed = `exported_${renamed}`;
    out[renamed] = value;
  }
  return out;
}

/** `host:port` of a target URL, with the scheme's default port made explicit. */
export function instanceOf(url: string): string {
  const u = new URL(url);
  const port = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
  return `${u.hostname}:${port}`;
}
