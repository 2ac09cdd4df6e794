import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Scope } from '../config/schema';
import { RequestError } from '../errors';

/** A configured token: its clear text, or only its sha256 (hex) as load-config keeps it. */
export interface TokenEntry {
  readonly name: string;
  readonly token?: string;
  readonly sha256?: string;
  readonly scopes: readonly Scope[];
}

/** Who made a request; recorded as the actor of audited operator actions. */
export interface Principal {
  readonly name: string;
  readonly scopes: readonly Scope[];
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** `admin` may do everything; `operate` implies `read`. */
function grants(scopes: readonly Scope[], wanted: Scope): boolean {
  if (scopes.includes('admin') || scopes.includes(wanted)) return true;
  return wanted === 'read' && scopes.includes('operate');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function digestOf(t: TokenEntry): Buffer {
  if (t.sha256 !== undefined) {
    if (!/^[0-9a-f]{64}$/i.test(t.sha256)) throw new Error(`token "${t.name}": sha256 must be 64 hex digits`);
    return Buffer.from(t.sha256, 'hex');
  }
  if (t.token !== undefined) return digest(t.token);
  throw new Error(`token "${t.name}" has neither a secret nor a sha256`);
}

/**
 * Bearer-token authentication. With no tokens configured every request is the local operator
 * (Warden then binds 127.0.0.1 only; see main). The presented token is hashed and compared with
 * every configured digest by timingSafeEqual (equal lengths, no early exit), so the time taken
 * does not tell a caller how much of a token it guessed, nor which one.
 */
export class Authenticator {
  readonly #tokens: ReadonlyArray<Principal & { digest: Buffer }>;

  constructor(tokens: readonly TokenEntry[]) {
    // Only digests are kept: no clear-text token stays in this object.
    this.#tokens = tokens.map((t) => ({ name: t.name, scopes: t.scopes, digest: digestOf(t) }));
  }

  get open(): boolean {
    return this.#tokens.length === 0;
  }

  identify(header: string | undefined): Principal | undefined {
    if (this.open) return { name: 'local', scopes: ['admin'] };
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const presented = digest(m[1] as string);
    let found: Principal | undefined;
    for (const t of this.#tokens) if (timingSafeEqual(t.digest, presented)) found = t;
    return found && { name: found.name, scopes: found.scopes };
  }

  /** Middleware: 401 without a valid token, 403 when the token lacks `scope` (naming the scope only, never the token or its name). */
  require(scope: Scope): RequestHandler {
    return (req: Request, _res: Response, next: NextFunction) => {
      const principal = this.identify(req.headers.authorization);
      if (!principal) return next(new RequestError(401, 'unauthorized', 'missing or invalid bearer token'));
      if (!grants(principal.scopes, scope)) {
        return next(new RequestError(403, 'forbidden', `this token lacks the "${scope}" scope`));
      }
      req.principal = principal;
      next();
    };
  }
}
