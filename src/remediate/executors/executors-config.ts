import type { KubeConfig } from '@kubernetes/client-node';
import type { ExecutorsConfig } from '../../config/executors-schema';
import type { TradingState } from '../trading-state';
import type { ExecutorsOptions } from './create-executors';
import { loadKubernetesClient } from './restart/load-kubernetes-client';

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
