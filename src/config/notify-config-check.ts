import type { NotifyConfig, RouteConfig } from './notify-schema';
import type { YamlSource } from './yaml-source';
import { formatPath } from './yaml-source';
import { ConfigError } from '../errors';

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

/** Every receiver name a route tree refers to, with the path of the node (for config errors). */
export function receiverReferences(cfg: RouteConfig, path: Array<string | number> = ['notify', 'route']): Array<{ name: string; path: Array<string | number> }> {
  const out: Array<{ name: string; path: Array<string | number> }> = [];
  if (cfg.receiver !== undefined) out.push({ name: cfg.receiver, path: [...path, 'receiver'] });
  cfg.routes.forEach((child, i) => out.push(...receiverReferences(child, [...path, 'routes', i])));
  return out;
}
