import { z } from 'zod';
import { databaseClustersSchema } from './database-cluster-schema';

/**
 * warden.yaml `remediation.executors:` — what the executors act on (`exchange.admin_url` is passed
 * separately). A plain schema: the executors turn it into options (executors-config.ts).
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
