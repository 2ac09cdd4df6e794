/**
 * Errors of the template language, worded like Go's text/template so messages match Prometheus'
 * (`template: NAME:LINE: msg` when parsing, `template: NAME:LINE:COL: executing "NAME" at <node>: msg`).
 */

/** Prometheus prefixes every alert template with its four variable definitions (rules/alerting.go). */
export const PROMETHEUS_DEFS = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

/** Line (1-based) and Go's column (0-based byte offset in the line) of `offset`, as Prometheus reports it. */
export function goPosition(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  const line = 1 + (before.match(/\n/g)?.length ?? 0);
  // on line 1 Go counts from the start of the definitions Prometheus puts in front
  return { line, column: nl === -1 ? offset + PROMETHEUS_DEFS.length : offset - nl - 1 };
}

/** A template that does not parse: a rule-file error at load. `offset` is where in the source. */
export class TemplateParseError extends Error {
  constructor(
    readonly detail: string,
    readonly templateName: string,
    readonly offset: number,
    source: string,
  ) {
    super(`template: ${templateName}:${goPosition(source, offset).line}: ${detail}`);
    this.name = 'TemplateParseError';
  }
}

/** A template that fails while rendering; the caller turns it into `<error expanding template: …>`. */
export class TemplateExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}

/** Raised by a function; the interpreter adds where (`error calling NAME: msg`). */
export class TemplateFunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateFunctionError';
  }
}
