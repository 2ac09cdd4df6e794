import type { Request, RequestHandler } from 'express';
import { RequestError } from '../errors';

/**
 * Reads and parses a JSON body with a size limit. Written here rather than express.json() because
 * this is the ingest hot path: body-parser's charset/inflate/verify machinery costs measurable
 * throughput, and push bodies are plain UTF-8 JSON. Same errors as before: 413 over the limit
 * (checked on Content-Length first, then while reading), 400 for malformed JSON.
 */
export function readJsonBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, limitBytes).then(
      (buf) => {
        try {
          req.body = parseJsonBody(buf);
        } catch (err) {
          return next(err);
        }
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** Like readJsonBody, but leaves the raw bytes in req.body (a Buffer), for the caller to parse where it likes. */
export function readRawBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, limitBytes).then(
      (buf) => {
        req.body = buf;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** 400 malformed_json for anything JSON.parse refuses. */
export function parseJsonBody(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch (err) {
    throw new RequestError(400, 'malformed_json', `malformed JSON: ${(err as Error).message}`);
  }
}

function readBody(req: Request, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    return Promise.reject(new RequestError(413, 'payload_too_large', `request body is over ${limitBytes} bytes`));
  }
  return collect(req, limitBytes);
}

function collect(req: Request, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        reject(new RequestError(413, 'payload_too_large', `request body is over ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (!failed) reject(new RequestError(400, 'bad_request', `request body could not be read: ${err.message}`));
    });
  });
}
