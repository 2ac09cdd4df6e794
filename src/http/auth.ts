import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Scope } from '../config/schema';
import { RequestError } from '../errors';

export interface TokenEntry {
  readonly name: string;
  readonly token: string;
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

/**
 * Bearer-token authentication. With no tokens configured every request is the local operator
 * (Warden then binds 127.0.0.1 only; see main). Tokens are compared in constant time.
 */
export class Authenticator {
  readonly #tokens: ReadonlyArray<TokenEntry & { digest: Buffer }>;

  constructor(tokens: readonly TokenEntry[]) {
    this.#tokens = tokens.map((t) => ({ ...t, digest: digest(t.token) }));
  }

  get open(): boolean {
    return this.#tokens.length === 0;
  }

  identify(header: string | undefined): Principal | undefined {
    if (this.open) return { name: 'local', scopes: ['admin'] };
    const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const presented = digest(m[1] as string);
    let found: TokenEntry | undefined;
    for (const t of this.#tokens) if (timingSafeEqual(t.digest, presented)) found = t;
    return found && { name: found.name, scopes: found.scopes };
  }

  /** Middleware: 401 without a valid token, 403 when the token lacks `scope`. */
  require(scope: Scope): RequestHandler {
    return (req: Request, _res: Response, next: NextFunction) => {
      const principal = this.identify(req.headers.authorization);
      if (!principal) return next(new RequestError(401, 'unauthorized', 'missing or invalid bearer token'));
      if (!grants(principal.scopes, scope)) {
        return next(new RequestError(403, 'forbidden', `token "${principal.name}" lacks the "${scope}" scope`));
      }
      req.principal = principal;
      next();
    };
  }
}
