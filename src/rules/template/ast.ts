import type { GoNumber } from './literals';

/** The parse tree of a template (text/template/parse's node types that alert templates use). */

export type Operand =
  | { readonly kind: 'dot'; readonly pos: number }
  | { readonly kind: 'nil'; readonly pos: number }
  | { readonly kind: 'field'; readonly pos: number; readonly names: readonly string[] }
  | { readonly kind: 'variable'; readonly pos: number; readonly name: string; readonly names: readonly string[] }
  | { readonly kind: 'function'; readonly pos: number; readonly name: string }
  | { readonly kind: 'string'; readonly pos: number; readonly value: string }
  | { readonly kind: 'number'; readonly pos: number; readonly num: GoNumber }
  | { readonly kind: 'bool'; readonly pos: number; readonly value: boolean }
  | { readonly kind: 'pipe'; readonly pos: number; readonly pipe: Pipeline }
  /** `(pipeline).Field`, `fn.Field`: a field chain on the value of another operand. */
  | { readonly kind: 'chain'; readonly pos: number; readonly node: Operand; readonly names: readonly string[] };

export interface Command {
  readonly pos: number;
  /** Source text, for error messages (`at <humanize "one">`). */
  readonly text: string;
  readonly args: readonly Operand[];
}

export interface Pipeline {
  readonly pos: number;
  readonly decl: readonly string[];
  /** `$x = …` (assignment to an existing variable) rather than `$x := …`. */
  readonly isAssign: boolean;
  readonly cmds: readonly Command[];
}

/** `{{if}}`, `{{with}}`, `{{range}}`: a pipeline, its list and the optional `{{else}}` list. */
export interface BlockNode {
  readonly kind: 'if' | 'with' | 'range';
  readonly pos: number;
  readonly pipe: Pipeline;
  readonly list: readonly TemplateNode[];
  readonly elseList: readonly TemplateNode[] | undefined;
}

export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pos: number; readonly pipe: Pipeline }
  | BlockNode
  | { readonly kind: 'break' | 'continue'; readonly pos: number };
