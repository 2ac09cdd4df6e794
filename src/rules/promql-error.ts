/**
 * A PromQL expression Warden cannot run: a syntax error or a construct outside the supported
 * subset. `offset` is the character position in the expression, so the loader can name file:line:col.
 */
export class PromqlError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'PromqlError';
    this.offset = offset;
  }
}
