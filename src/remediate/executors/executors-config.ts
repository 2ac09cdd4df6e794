import { z } from 'zod';
import type { KubeConfig } from '@kubernetes/client-node';
import type { TradingState } from '../trading-state';
import type { ExecutorsOptions } from './create-executors';
import { loadKubernetesClient } from './restart/load-kubernetes-client';
import { databaseClustersSchema } from './failover/database-cluster-schema';

/**
 * Proposed warden.yaml keys for the executors' side (`remediation.executors:`), for the config
 * owner to mount; `exchange.admin_url` already exists and is passed separately.
 */
export const executorsConfigSchema = z.strictObject({
  postgres: z
    .strictObject({
      /** The server reap_connections acts on; needs pg_signal_backend. */
      url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
      application_name: z.string().min(1).default('warden'),
      /** Other Warden clients' application names, never reaped. */
      protected_application_names: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  /** Database clusters failover_database may promote a replica in (issue 14 §3). */
  databases: databaseClustersSchema,
  log_dirs: z.array(z.strictObject({ path: z.string().min(1), archive_dir: z.string().min(1) })).default([]),
  restart: z
    .strictObject({
      env_allow_list: z.array(z.string().min(1)).optional(),
      /** "in-cluster", "default" (KUBECONFIG / ~/.kube/config) or a kubeconfig file path. */
      kubeconfig: z.string().min(1).optional(),
      /** Base URL for http restart urls given as a path, e.g. the simulator's control API http://127.0.0.1:9300. */
      http_base_url: z.string().regex(/^https?:\/\//, 'must be an http(s) URL').optional(),
    })
    .default({}),
});
export type ExecutorsConfig = z.output<typeof executorsConfigSchema>;

async function buildKubeConfig(source: string): Promise<KubeConfig> {
  const k8s = await loadKubernetesClient();
  const kc = new k8s.KubeConfig();
  if (source === 'in-cluster') kc.loadFromCluster();
  else if (source === 'default') kc.loadFromDefault();
  else kc.loadFromFile(source);
  return kc;
}

export function executorsOptionsFromConfig(cfg: ExecutorsConfig, deps: { exchangeAdminUrl?: string; trading: TradingState; clock?: () => number }): ExecutorsOptions {
  const kubeconfig = cfg.restart.kubeconfig;
  let kc: Promise<KubeConfig> | undefined;
  return {
    ...deps,
    postgres: cfg.postgres && { connectionString: cfg.postgres.url, applicationName: cfg.postgres.application_name, protectedApplicationNames: cfg.postgres.protected_application_names },
    logDirs: cfg.log_dirs.map((d) => ({ path: d.path, archiveDir: d.archive_dir })),
    restart: {
      envAllowList: cfg.restart.env_allow_list,
      // Built once, on first use, so a missing kubeconfig only fails kubernetes restarts.
      kubeConfig: kubeconfig ? () => (kc ??= buildKubeConfig(kubeconfig)) : undefined,
      httpBaseUrl: cfg.restart.http_base_url,
    },
  };
}
