import { Script, constants as vmConstants } from 'node:vm';
import type * as k8s from '@kubernetes/client-node';

export type KubernetesClientModule = typeof k8s;

let loaded: Promise<KubernetesClientModule> | undefined;

/**
 * @kubernetes/client-node 1.x is ESM only. Under plain Node 20.19+ `require()` loads it
 * (require(esm)); jest's module registry does not support require(esm) on Node < 24.9 and
 * `import()` inside jest's sandbox needs --experimental-vm-modules. So: try require first (Node,
 * production), and fall back to a real dynamic import() compiled in the main context with Node's
 * default loader (vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, Node >= 20.12), which bypasses
 * jest's registry. Objects then come from the main realm; callers check errors by fields (`code`),
 * never by instanceof.
 */
export function loadKubernetesClient(): Promise<KubernetesClientModule> {
  loaded ??= loadOnce();
  return loaded;
}

async function loadOnce(): Promise<KubernetesClientModule> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@kubernetes/client-node') as KubernetesClientModule;
  } catch (requireErr) {
    const script = new Script('(specifier) => import(specifier)', {
      importModuleDynamically: (vmConstants as unknown as { USE_MAIN_CONTEXT_DEFAULT_LOADER: never }).USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const importInMainContext = script.runInThisContext() as (s: string) => Promise<KubernetesClientModule>;
    try {
      return await importInMainContext('@kubernetes/client-node');
    } catch (importErr) {
      throw new Error(`cannot load @kubernetes/client-node: require: ${String(requireErr)}; import: ${String(importErr)}`, { cause: importErr });
    }
  }
}
