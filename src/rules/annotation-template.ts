// No well-kept JS library implements Go's text/template exactly, so Warden has its own interpreter (./template/).
import type { Labels } from '../signals/sample';
import { formatGoFloat } from './go-float-format';
import type { Command, Operand, TemplateNode } from './template/ast';
import { BUILTINS } from './template/builtins';
import { TemplateParseError } from './template/errors';
import { DEFAULT_LIMITS, execute, type ExecLimits } from './template/exec';
import type { FunctionTable, QueryFunction } from './template/function-types';
import { ParseError, parseTemplate } from './template/parser';
import { PROMETHEUS_FUNCTIONS } from './template/prom-functions';
import { GoMap, GoStruct } from './template/values';

export { TemplateParseError } from './template/errors';
export type { QueryFunction, QuerySample } from './template/function-types';

/**
 * Alert label and annotation templates in Prometheus' template language (Go text/template with
 * Prometheus' functions, template/template.go), compiled once at load. A template that fails while
 * rendering yields Prometheus' `<error expanding template: …>` text instead of throwing, so one bad
 * annotation never stops a rule's evaluation.
 */

const FUNCTIONS: FunctionTable = { ...BUILTINS, ...PROMETHEUS_FUNCTIONS };
const FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));
const DATA_TYPE = 'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }';
const NO_LABELS: Labels = Object.freeze({});

/** The fast path: text, `{{ $labels.x }}` / `{{ .Labels.x }}`, `{{ $value }}` / `{{ .Value }}`. */
type Part = string | { readonly label: string } | { readonly value: true };

export interface CompiledTemplate {
  readonly source: string;
  /** Prometheus names an alert's templates `__alert_<alertname>`; it appears in error messages. */
  readonly name: string;
  /** Renders to `source` with comments and trim markers applied, whatever the labels and value. */
  readonly isConstant: boolean;
  /** Set when the template is only text, label and value references (rendered without the interpreter). */
  readonly parts: readonly Part[] | undefined;
  readonly nodes: readonly TemplateNode[];
}

export interface TemplateContext {
  readonly externalLabels?: Labels;
  readonly externalURL?: string;
  /** Backs the template's `query` function; without it `query` fails (the annotation shows the error). */
  readonly query?: QueryFunction;
  /** Told about every render error (Prometheus logs "Expanding alert template failed"). */
  readonly onError?: (message: string, template: CompiledTemplate) => void;
  readonly limits?: ExecLimits;
}

function simplePart(node: TemplateNode): Part | undefined {
  if (node.kind === 'text') return node.text;
  if (node.kind !== 'action' || node.pipe.decl.length > 0 || node.pipe.cmds.length !== 1) return undefined;
  const args = (node.pipe.cmds[0] as Command).args;
  const arg = args[0] as Operand;
  if (args.length !== 1 || (arg.kind !== 'variable' && arg.kind !== 'field')) return undefined;
  const names = arg.names;
  const isVar = (name: string) => arg.kind === 'variable' && arg.name === name;
  if (isVar('$labels') && names.length === 1) return { label: names[0] as string };
  if (arg.kind === 'field' && names.length === 2 && names[0] === 'Labels') return { label: names[1] as string };
  if ((isVar('$value') && names.length === 0) || (arg.kind === 'field' && names.length === 1 && names[0] === 'Value')) return { value: true };
  return undefined;
}

/** Parses a template; throws TemplateParseError (Go's message, and the offset of the problem). */
export function compileTemplate(source: string, options: { name?: string } = {}): CompiledTemplate {
  const name = options.name ?? '__alert';
  let nodes: TemplateNode[];
  try {
    nodes = parseTemplate(source, FUNCTION_NAMES);
  } catch (err) {
    if (err instanceof ParseError) throw new TemplateParseError(err.message, name, err.offset, source);
    throw err;
  }
  const simple = nodes.map(simplePart);
  const parts = simple.every((p) => p !== undefined) ? (simple as Part[]) : undefined;
  const isConstant = nodes.every((n) => n.kind === 'text');
  return { source, name, isConstant, parts: isConstant ? [nodes.map((n) => (n as { text: string }).text).join('')] : parts, nodes };
}

/** Missing labels render as the empty string, as Prometheus renders them (missingkey=zero). Never throws. */
export function renderTemplate(t: CompiledTemplate, labels: Labels, value: number, context?: TemplateContext): string {
  const parts = t.parts;
  if (parts) {
    if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if ('label' in p) out += Object.hasOwn(labels, p.label) ? labels[p.label] : '';
      else out += formatGoFloat(value);
    }
    return out;
  }
  const data = new GoStruct(DATA_TYPE, {
    Labels: new GoMap(labels, 'string'),
    ExternalLabels: new GoMap(context?.externalLabels ?? NO_LABELS, 'string'),
    ExternalURL: context?.externalURL ?? '',
    Value: value,
  });
  try {
    return execute({ name: t.name, source: t.source, nodes: t.nodes, functions: FUNCTIONS, data, query: context?.query, externalURL: context?.externalURL ?? '', limits: context?.limits ?? DEFAULT_LIMITS });
  } catch (err) {
    // Prometheus' Expand: any failure, even a panic, becomes the annotation's text
    const message = `error executing template ${t.name}: ${err instanceof Error ? err.message : String(err)}`;
    context?.onError?.(message, t);
    return `<error expanding template: ${message}>`;
  }
}
