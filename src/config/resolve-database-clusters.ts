import { ConfigError } from '../errors';
import type { DatabaseClusterConfig } from './database-cluster-schema';
import { readSecret } from './resolve-tokens';
import type { YamlSource } from './yaml-source';
import { formatPath } from './yaml-source';

interface ComponentLike {
  readonly name: string;
  readonly probe?: unknown;
}

/**
 * `remediation.executors.databases` once its secrets are read (fail fast, like auth tokens): every
 * postgres node's `url` holds the connection string, every patroni cluster's `api_auth` its
 * credentials; the *_file / *_env keys are gone. Also checks what one section alone cannot: each
 * node is a configured component with a probe (spec §5: a primary is only confirmed down by its
 * failed probes and a failed connection), and no cluster is named like a component (targets stay
 * unambiguous).
 */
export function resolveDatabaseClusters(source: YamlSource, clusters: readonly DatabaseClusterConfig[], components: readonly ComponentLike[], env: NodeJS.ProcessEnv): DatabaseClusterConfig[] {
  const base = ['remediation', 'executors', 'databases'];
  const fail = (path: Array<string | number>, detail: string) => new ConfigError(detail, { file: source.file, ...source.position([...base, ...path]), field: formatPath([...base, ...path]) });
  const byName = new Map(components.map((c) => [c.name, c]));
  return clusters.map((c, i) => {
    if (byName.has(c.name)) throw fail([i, 'name'], `cluster "${c.name}" has the name of a component: name the cluster apart from its nodes`);
    const nodes = c.nodes.map((n, j) => {
      const component = byName.get(n.name);
      if (!component) throw fail([i, 'nodes', j, 'name'], `node "${n.name}" is not a configured component (components[].name): Warden must probe it to confirm it down`);
      if (!component.probe) throw fail([i, 'nodes', j, 'name'], `component "${n.name}" has no probe: Warden must probe a database node to confirm it down (spec §5)`);
      if (c.driver !== 'postgres') return n;
      const key = n.url !== undefined ? 'url' : n.url_file !== undefined ? 'url_file' : 'url_env';
      const url = readSecret({ inline: n.url, file: n.url_file, env: n.url_env }, source.file, env, (d) => fail([i, 'nodes', j, key], d), 'connection string');
      if (!/^postgres(ql)?:\/\//.test(url)) throw fail([i, 'nodes', j, key], 'the connection string must be a postgresql:// URL');
      return { name: n.name, url };
    });
    const authKey = c.api_auth !== undefined ? 'api_auth' : c.api_auth_file !== undefined ? 'api_auth_file' : c.api_auth_env !== undefined ? 'api_auth_env' : undefined;
    const { api_auth_file: _file, api_auth_env: _env, ...rest } = c;
    if (!authKey) return { ...rest, nodes };
    const auth = readSecret({ inline: c.api_auth, file: c.api_auth_file, env: c.api_auth_env }, source.file, env, (d) => fail([i, authKey], d), 'Patroni credentials');
    if (!/^[^:]+:.+$/.test(auth)) throw fail([i, authKey], 'Patroni credentials must be "user:password"');
    return { ...rest, nodes, api_auth: auth };
  });
}
