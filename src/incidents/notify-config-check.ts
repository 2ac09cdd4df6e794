import type { NotifyConfig } from '../config/notify-schema';
import type { YamlSource } from '../config/yaml-source';
import { formatPath } from '../config/yaml-source';
import { ConfigError } from '../errors';
import { receiverReferences } from './route-tree';

/**
 * Cross-checks zod cannot make alone (called from load-config.ts): receiver names are unique, and
 * every receiver a route or an escalation level names exists. An unknown name is a config error
 * with file:line — a page routed to nobody must fail at load, not at 3 a.m.
 */
export function checkNotifyReferences(source: YamlSource, notify: NotifyConfig): void {
  const fail = (detail: string, path: Array<string | number>) => {
    throw new ConfigError(detail, { file: source.file, ...source.position(path), field: formatPath(path) });
  };
  const names = new Set<string>();
  notify.receivers.forEach((r, i) => {
    if (names.has(r.name)) fail(`duplicate receiver "${r.name}"`, ['notify', 'receivers', i, 'name']);
    names.add(r.name);
  });
  const known = () => (names.size > 0 ? `known: ${[...names].join(', ')}` : 'no receivers are configured');
  if (notify.route) {
    for (const ref of receiverReferences(notify.route)) {
      if (!names.has(ref.name)) fail(`route names unknown receiver "${ref.name}" (${known()})`, ref.path);
    }
  }
  notify.escalation.chains.forEach((chain, c) => {
    chain.levels.forEach((level, l) => {
      level.receivers.forEach((name, r) => {
        if (!names.has(name)) fail(`escalation chain "${chain.name}" names unknown receiver "${name}" (${known()})`, ['notify', 'escalation', 'chains', c, 'levels', l, 'receivers', r]);
      });
    });
  });
}
