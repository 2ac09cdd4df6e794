import type { Postings } from '../signals/postings';
import type { Labels } from '../signals/sample';
import { inScope, type Scope } from './promql-selectors';

/**
 * The items (a rule's alerts or output series) whose labels lie in one of `scopes`, found through
 * their postings (smallest list first), so a scoped evaluation costs O(scope), not O(items).
 */
export function itemsInScopes<T extends { readonly key: string }>(all: ReadonlyMap<string, T>, index: Postings<T>, scopes: readonly Scope[], labelsOf: (item: T) => Labels): Map<string, T> {
  const found = new Map<string, T>();
  if (all.size === 0) return found;
  for (const scope of scopes) {
    let best: Iterable<T> = all.values();
    let bestSize = all.size;
    for (const [n, v] of scope) {
      if (v === '') continue;
      const p = index.get(n, v);
      if (!p) {
        bestSize = 0;
        break;
      }
      if (p.size < bestSize) {
        best = p;
        bestSize = p.size;
      }
    }
    if (bestSize === 0) continue;
    for (const item of best) if (inScope(scope, labelsOf(item))) found.set(item.key, item);
  }
  return found;
}
