import { PermanentError } from '../errors';

/**
 * Targets come from alert labels, and alert labels from pushed and scraped samples: untrusted
 * input (issue 9). Whatever a rule's allow-list says, a target that could be read as an option
 * (`-rf`), an absolute or climbing path (`/etc`, `../../etc`), or that hides whitespace or
 * invisible characters is never acted on: it reaches argv, URLs and file paths.
 */
// \s covers Unicode spaces and line separators; Cc control and Cf format (bidi overrides, zero-width) characters.
const HIDDEN_CHAR_RE = /[\s\p{Cc}\p{Cf}]/u;

/** Why `target` is never acted on, or undefined when it is safe to pass on. */
export function unsafeTargetReason(target: string): string | undefined {
  if (target === '') return 'is empty';
  if (target.startsWith('-')) return 'starts with "-" (it could be read as an option)';
  if (target.startsWith('/')) return 'starts with "/" (an absolute path)';
  if (target.split(/[/\\]/).includes('..')) return 'has a ".." path segment';
  const hidden = HIDDEN_CHAR_RE.exec(target);
  if (hidden) return `contains whitespace or a control character (U+${(hidden[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')})`;
  return undefined;
}

/** Defence in depth for executors: the pipeline refused such targets already; an executor refuses again. */
export function assertSafeTarget(what: string, target: string): void {
  const why = unsafeTargetReason(target);
  if (why !== undefined) throw new PermanentError(`${what}: refusing unsafe target ${JSON.stringify(target)}: it ${why}`);
}
