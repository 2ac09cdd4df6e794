import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_DIR } from './dashboard-queries';

/** One row of dashboards/README.md's "Exported by Warden" table. */
export interface ContractMetric {
  readonly name: string;
  readonly type: string;
  readonly labels: string[];
}

/** The metric contract as written in dashboards/README.md (the table under "Exported by Warden"). */
export function wardenContract(): ContractMetric[] {
  const readme = readFileSync(join(DASHBOARD_DIR, 'README.md'), 'utf8');
  const section = readme.split('### Exported by Warden')[1]?.split('\n### ')[0];
  if (!section) throw new Error('dashboards/README.md has no "### Exported by Warden" section');
  return section
    .split('\n')
    .map((line) => /^\| `(warden_[a-z_]+)` \| (\w+) \| ([^|]*) \|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1] as string, type: m[2] as string, labels: [...(m[3] as string).matchAll(/`(\w+)`/g)].map((l) => l[1] as string).sort() }));
}

/** A metric family as found in a Prometheus text exposition. */
export interface ExposedFamily {
  type: string;
  /** Label names of each sample, `le` and `quantile` left out, sorted and comma-joined. */
  labelSets: Set<string>;
}

/** Families of a text exposition by name, with the label names their samples carry. */
export function exposedFamilies(text: string): Map<string, ExposedFamily> {
  const families = new Map<string, ExposedFamily>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      families.set(type[1] as string, { type: type[2] as string, labelSets: new Set() });
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample) continue;
    const family = familyOf(families, sample[1] as string);
    const names = [...(sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)].map((l) => l[1] as string).filter((n) => n !== 'le' && n !== 'quantile');
    family?.labelSets.add(names.sort().join(','));
  }
  return families;
}

function familyOf(families: Map<string, ExposedFamily>, sampleName: string): ExposedFamily | undefined {
  return families.get(sampleName) ?? families.get(sampleName.replace(/_(bucket|sum|count)$/, ''));
}
