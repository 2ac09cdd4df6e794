import { z } from 'zod';
import { parseDurationMs } from '../../../config/duration';
import { assertSafeTarget } from '../../target-safety';

const duration = z.string().refine((s) => parseDurationMs(s) !== undefined, 'must be a duration such as "10s"');

/** `command`: argv array, run without a shell; `{{target}}` in an element is replaced by the target. */
export const commandRestartParamsSchema = z.strictObject({
  driver: z.literal('command'),
  argv: z.array(z.string().min(1)).min(1),
  cwd: z.string().min(1).optional(),
  /** Extra environment for the command, on top of the executor's allow-listed variables. */
  env: z.record(z.string(), z.string()).default({}),
  timeout: duration.default('10s'),
  /** Exit codes that retrying cannot fix (e.g. "unknown service"); other non-zero codes retry. */
  permanent_exit_codes: z.array(z.number().int().min(1).max(255)).default([126, 127]),
});

/**
 * `http`: POST to a service admin endpoint; `{{target}}` in the URL is replaced by the target. A
 * path ("/control/restart/{{target}}") is resolved against warden.yaml
 * `remediation.executors.restart.http_base_url`, so one rule file serves every deployment.
 */
export const httpRestartParamsSchema = z.strictObject({
  driver: z.literal('http'),
  url: z.string().regex(/^(https?:\/\/|\/)/, 'must be an http(s) URL, or a path starting with / (resolved against remediation.executors.restart.http_base_url)'),
  body: z.record(z.string(), z.unknown()).default({}),
  timeout: duration.default('3s'),
});

/** `kubernetes`: rollout restart of a deployment, or delete of a pod (the ReplicaSet replaces it). */
export const kubernetesRestartParamsSchema = z.strictObject({
  driver: z.literal('kubernetes'),
  kind: z.enum(['deployment', 'pod']).default('deployment'),
  namespace: z.string().min(1).default('default'),
  /** Object name; defaults to the target. */
  name: z.string().min(1).optional(),
  timeout: duration.default('10s'),
});

export const restartParamsSchema = z.discriminatedUnion('driver', [commandRestartParamsSchema, httpRestartParamsSchema, kubernetesRestartParamsSchema]);

export type CommandRestartParams = z.output<typeof commandRestartParamsSchema>;
export type HttpRestartParams = z.output<typeof httpRestartParamsSchema>;
export type KubernetesRestartParams = z.output<typeof kubernetesRestartParamsSchema>;
export type RestartParams = z.output<typeof restartParamsSchema>;

/** Where a target enters argv or a URL: an unsafe one is refused here too (issue 9, defence in depth). */
export function substituteTarget(template: string, target: string): string {
  assertSafeTarget('restart', target);
  return template.replace(/\{\{\s*target\s*\}\}/g, target);
}
