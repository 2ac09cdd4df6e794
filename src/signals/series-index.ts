import type { Labels } from './sample';

/** `children` is made on first use: a leaf (one per series) then costs one small object, not a Map too. */
class Node<T> {
  children: Map<string, Node<T>> | undefined;
  value: T | undefined;
}

/**
 * Finds a metric's series by its label set, walking label name, value, name, value... (names in
 * sorted order) through nested maps. Written here rather than keyed by a joined string because the
 * ingest hot path sees fresh strings from every JSON body: hashing a few short strings costs about a
 * third of building and hashing one long key (measured 250–380 ns vs 720 ns per sample).
 */
export class SeriesIndex<T> {
  readonly #root = new Node<T>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(labels: Labels): T | undefined {
    // The hot path: walk in the given order with no array; labels out of order take the sorted walk.
    let node: Node<T> | undefined = this.#root;
    let prev = '';
    for (const name in labels) {
      if (name < prev) return this.#getSorted(labels);
      prev = name;
      node = node.children?.get(name)?.children?.get(labels[name] as string);
      // A miss may only mean the rest is out of order (or a new series): settle it the sorted way.
      if (!node) return this.#getSorted(labels);
    }
    return node.value;
  }

  #getSorted(labels: Labels): T | undefined {
    let node: Node<T> | undefined = this.#root;
    for (const name of labelNames(labels)) {
      node = node.children?.get(name)?.children?.get(labels[name] as string);
      if (!node) return undefined;
    }
    return node.value;
  }

  /** Stores `value` for `labels`, replacing any value there. */
  set(labels: Labels, value: T): void {
    let node = this.#root;
    for (const name of labelNames(labels)) node = child(child(node, name), labels[name] as string);
    if (node.value === undefined) this.#size++;
    node.value = value;
  }

  /** Removes the value for `labels` and the nodes that led only to it. */
  delete(labels: Labels): boolean {
    const path: Array<[Node<T>, string]> = [];
    let node: Node<T> | undefined = this.#root;
    for (const name of labelNames(labels)) {
      const nameNode: Node<T> | undefined = node.children?.get(name);
      const valueNode: Node<T> | undefined = nameNode?.children?.get(labels[name] as string);
      if (!nameNode || !valueNode) return false;
      path.push([node, name], [nameNode, labels[name] as string]);
      node = valueNode;
    }
    if (node.value === undefined) return false;
    node.value = undefined;
    this.#size--;
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, key] = path[i] as [Node<T>, string];
      const c = parent.children?.get(key) as Node<T>;
      if (c.value !== undefined || (c.children?.size ?? 0) > 0) break;
      parent.children?.delete(key);
    }
    return true;
  }
}

function child<T>(node: Node<T>, key: string): Node<T> {
  const children = (node.children ??= new Map());
  let c = children.get(key);
  if (!c) {
    c = new Node<T>();
    children.set(key, c);
  }
  return c;
}

const EMPTY: readonly string[] = [];

/** Label names in sorted order; pushers almost always send them sorted, so check before sorting. */
function labelNames(labels: Labels): readonly string[] {
  const names = Object.keys(labels);
  if (names.length === 0) return EMPTY;
  for (let i = 1; i < names.length; i++) {
    if ((names[i] as string) < (names[i - 1] as string)) return names.sort();
  }
  return names;
}
