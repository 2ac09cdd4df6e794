/** Lexer for Go text/template (text/template/parse/lex.go): text, actions, trim markers, comments. */

export type TokenKind =
  | 'text' | 'left' | 'right' | 'ident' | 'keyword' | 'field' | 'dot' | 'variable' | 'string' | 'rawString' | 'char' | 'number' | 'bool' | 'nil'
  | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma';

export interface Token {
  readonly kind: TokenKind;
  /** Source text (for text tokens: the text after trimming). */
  readonly text: string;
  /** Offset of the token in the template source. */
  readonly pos: number;
  /** Whether whitespace precedes it inside the action (separates `$x .y` from the chain `$x.y`). */
  readonly spaced: boolean;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined) => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
const SPACE_END_RE = /[ \t\r\n]+$/;
const SPACE_START_RE = /^[ \t\r\n]+/;

/** Splits a template into tokens; throws LexError (Go's message) on a lexical error. */
export function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(SPACE_START_RE, '');
    const trimLeft = open >= 0 && src[open + 2] === '-' && isSpace(src[open + 3]);
    if (trimLeft) text = text.replace(SPACE_END_RE, '');
    if (text.length > 0) out.push({ kind: 'text', text, pos: i, spaced: false });
    if (open < 0) break;
    const p = open + 2 + (trimLeft ? 2 : 0);
    // a comment starts right after the delimiter (and its trim marker), as in Go
    if (src.startsWith('/*', p)) {
      const end = src.indexOf('*/', p + 2);
      if (end < 0) throw new LexError('unclosed comment', open);
      const close = rightDelimAt(src, end + 2);
      if (!close) throw new LexError('comment ends before closing delimiter', open);
      i = close.next;
      trimNext = close.trim;
      continue;
    }
    out.push({ kind: 'left', text: '{{', pos: open, spaced: false });
    const close = lexAction(src, p, out);
    i = close.next;
    trimNext = close.trim;
  }
  return out;
}

function rightDelimAt(src: string, p: number): { next: number; trim: boolean } | undefined {
  if (isSpace(src[p]) && src[p + 1] === '-' && src.startsWith('}}', p + 2)) return { next: p + 4, trim: true };
  if (src.startsWith('}}', p)) return { next: p + 2, trim: false };
  return undefined;
}

function lexAction(src: string, start: number, out: Token[]): { next: number; trim: boolean } {
  let p = start;
  let depth = 0;
  let spaced = false;
  const push = (kind: TokenKind, end: number) => {
    out.push({ kind, text: src.slice(p, end), pos: p, spaced });
    p = end;
    spaced = false;
  };
  for (;;) {
    const close = rightDelimAt(src, p);
    if (close && depth > 0) throw new LexError('unclosed left paren', p);
    if (close) {
      out.push({ kind: 'right', text: '}}', pos: p, spaced });
      return close;
    }
    const c = src[p];
    if (c === undefined) throw new LexError('unclosed action', start);
    if (isSpace(c)) {
      p++;
      spaced = true;
    } else if (c === '|') push('pipe', p + 1);
    else if (c === '(') {
      depth++;
      push('lparen', p + 1);
    } else if (c === ')') {
      if (--depth < 0) throw new LexError('unexpected right paren', p);
      push('rparen', p + 1);
    } else if (c === ',') push('comma', p + 1);
    else if (c === '=') push('assign', p + 1);
    else if (c === ':') {
      if (src[p + 1] !== '=') throw new LexError('expected :=', p);
      push('declare', p + 2);
    } else if (c === '"') push('string', endOfQuoted(src, p, '"'));
    else if (c === '`') {
      const end = src.indexOf('`', p + 1);
      if (end < 0) throw new LexError('unterminated raw quoted string', p);
      push('rawString', end + 1);
    } else if (c === "'") push('char', endOfQuoted(src, p, "'"));
    else if (c === '$') push('variable', endOfWord(src, p + 1));
    else if (c === '.' && !/[0-9]/.test(src[p + 1] ?? '')) push(isAlnum(src[p + 1]) ? 'field' : 'dot', isAlnum(src[p + 1]) ? endOfWord(src, p + 1) : p + 1);
    else if (c === '+' || c === '-' || c === '.' || /[0-9]/.test(c)) push('number', endOfNumber(src, p));
    else if (isAlnum(c)) {
      const end = endOfWord(src, p);
      const word = src.slice(p, end);
      push(KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'ident', end);
    } else {
      const cp = src.codePointAt(p) as number;
      throw new LexError(`unrecognized character in action: U+${cp.toString(16).toUpperCase().padStart(4, '0')}`, p);
    }
  }
}

function endOfWord(src: string, p: number): number {
  while (isAlnum(src[p])) p++;
  return p;
}

function endOfQuoted(src: string, start: number, quote: string): number {
  let p = start + 1;
  for (;;) {
    const c = src[p];
    if (c === undefined || c === '\n') throw new LexError(quote === '"' ? 'unterminated quoted string' : 'unterminated character constant', start);
    if (c === '\\') p++;
    else if (c === quote) return p + 1;
    p++;
  }
}

/** Go's scanNumber: sign, base prefix, digits with _, fraction, exponent; a trailing letter is an error. */
function endOfNumber(src: string, start: number): number {
  const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[bBoO][0-9_]*|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?/.exec(src.slice(start)) as RegExpExecArray;
  const end = start + m[0].length;
  if (m[0].replace(/^[+-]/, '') === '' || isAlnum(src[end]) || src[end] === '.') throw new LexError(`bad number syntax: "${src.slice(start, end + 1)}"`, start);
  return end;
}
