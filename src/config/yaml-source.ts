import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors';

/**
 * A parsed YAML file that remembers where every node came from, so a schema error can name the
 * file, line and field. Used for warden.yaml and for rule files alike.
 */
export class YamlSource {
  readonly file: string;
  readonly doc: Document;
  readonly #lines: LineCounter;

  private constructor(file: string, doc: Document, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.#lines = lines;
  }

  /** Throws ConfigError for YAML syntax errors. */
  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first) {
      const pos = lines.linePos(first.pos[0]);
      throw new ConfigError(first.message.split('\n')[0] ?? 'invalid YAML', { file, line: pos.line, column: pos.col });
    }
    return new YamlSource(file, doc, lines);
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 }) ?? {};
  }

  /** Line and column (1-based) of the node at `path`, or of its nearest existing parent. */
  position(path: ReadonlyArray<PropertyKey>): { line: number; column: number } | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) {
        const p = this.#lines.linePos(node.range[0]);
        return { line: p.line, column: p.col };
      }
    }
    return undefined;
  }

  /** Line where the key `path` itself is written (better than its value for "unknown key"). */
  keyPosition(path: ReadonlyArray<PropertyKey>, key: string): { line: number; column: number } | undefined {
    const parent = this.doc.getIn(path as unknown[], true) as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined;
    const pair = parent?.items?.find((it) => it.key?.value === key);
    if (pair?.key?.range) {
      const p = this.#lines.linePos(pair.key.range[0]);
      return { line: p.line, column: p.col };
    }
    return this.position(path);
  }

  /** Validates against a zod schema; the first issue becomes a ConfigError with file:line and field. */
  validate<S extends z.ZodType>(schema: S, value: unknown = this.toJS(), basePath: ReadonlyArray<PropertyKey> = []): z.output<S> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw this.errorFor(result.error.issues[0] as z.core.$ZodIssue, basePath);
  }

  errorFor(issue: z.core.$ZodIssue, basePath: ReadonlyArray<PropertyKey> = []): ConfigError {
    const path = [...basePath, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] as string;
      const pos = this.keyPosition(path, key);
      return new ConfigError(`unknown key "${key}"`, { file: this.file, ...pos, field: formatPath([...path, key]) });
    }
    const pos = this.position(path);
    return new ConfigError(issue.message, { file: this.file, ...pos, field: formatPath(path) || undefined });
  }
}

/** `components[2].probe.url`, like a reader would write it. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += (out ? '.' : '') + String(part);
  }
  return out;
}
