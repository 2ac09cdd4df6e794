import type { KubeConfig } from '@kubernetes/client-node';
import { PermanentError, TransientError } from '../../../errors';
import { parseDurationMs } from '../../../config/duration';
import type { ExecutionContext, ExecutionResult } from '../../executor';
import { attemptDeadline, type AttemptDeadline } from '../../attempt-deadline';
import { errorForStatus } from '../../http-outcome';
import { loadKubernetesClient } from './load-kubernetes-client';
import type { KubernetesRestartParams } from './restart-params';

export interface KubernetesDriverOptions {
  /** Builds the KubeConfig (in-cluster, a kubeconfig file, or one made in code by tests). */
  kubeConfig: () => KubeConfig | Promise<KubeConfig>;
  clock: () => number;
}

/** The annotation `kubectl rollout restart` sets; changing it rolls the pods (spec §11.2 "Restart (k8s)"). */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** The client rejects with ApiException {code} for HTTP errors and node-fetch errors {code} for network ones. */
function classify(err: unknown, what: string, deadline: AttemptDeadline): Error {
  if (deadline.signal.aborted) return deadline.classify(err, what);
  const e = err as { code?: unknown; body?: unknown; message?: string };
  if (typeof e.code === 'number') return errorForStatus(what, e.code, typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? ''));
  // node-fetch system errors carry a string code (ECONNREFUSED...): the network, worth a retry.
  if (typeof e.code === 'string') return new TransientError(`${what}: ${e.code}: ${e.message ?? ''}`, { cause: err });
  // Anything else is the client refusing before sending (e.g. http:// without skipTLSVerify): config.
  return new PermanentError(`${what}: ${e.message ?? String(err)}`, { cause: err });
}

/** The client takes no AbortSignal: stop waiting when the deadline fires (the request may still land). */
function raceDeadline<T>(p: Promise<T>, deadline: AttemptDeadline): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    if (deadline.signal.aborted) return onAbort();
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => deadline.signal.removeEventListener('abort', onAbort));
  });
}

export async function restartWithKubernetes(target: string, p: KubernetesRestartParams, ctx: ExecutionContext, opts: KubernetesDriverOptions): Promise<ExecutionResult> {
  const name = p.name ?? target;
  const deadline = attemptDeadline(ctx.signal, parseDurationMs(p.timeout) as number);
  const what = `restart ${target}: kubernetes ${p.kind} ${p.namespace}/${name}`;
  let k8s: Awaited<ReturnType<typeof loadKubernetesClient>>;
  let kc: KubeConfig;
  try {
    k8s = await loadKubernetesClient();
    kc = await opts.kubeConfig();
  } catch (err) {
    throw new PermanentError(`${what}: ${(err as Error).message}`, { cause: err });
  }
  try {
    if (p.kind === 'pod') {
      await raceDeadline(kc.makeApiClient(k8s.CoreV1Api).deleteNamespacedPod({ name, namespace: p.namespace }), deadline);
      return { summary: `deleted pod ${p.namespace}/${name}`, details: { driver: 'kubernetes', kind: 'pod', namespace: p.namespace, name } };
    }
    const restartedAt = new Date(opts.clock()).toISOString();
    const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
    const patchOptions = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
    await raceDeadline(kc.makeApiClient(k8s.AppsV1Api).patchNamespacedDeployment({ name, namespace: p.namespace, body }, patchOptions), deadline);
    return { summary: `rollout restart of deployment ${p.namespace}/${name}`, details: { driver: 'kubernetes', kind: 'deployment', namespace: p.namespace, name, restartedAt } };
  } catch (err) {
    throw classify(err, what, deadline);
  }
}
