import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { NotifyConfig } from './notify-schema';
import { formatPath, type YamlSource } from './yaml-source';
import { ConfigError, errorMessage } from '../errors';
import { webhookUrlProblem, type WebhookConfig, type WebhookEndpoint } from './webhook-config';

/** Builds the error for a field of this webhook config (path relative to the config). */
export type WebhookFieldError = (detail: string, path: ReadonlyArray<string | number>) => ConfigError;

/** Secrets and certificates are small; a bigger file is the wrong file. */
const MAX_FILE_BYTES = 1 << 20;

/**
 * Reads a webhook config's files (relative to `baseDir`, the directory of warden.yaml) and builds
 * what the notifier sends with. Throws ConfigError through `fail` for an unreadable file or a
 * url_file whose URL is not http(s).
 */
export function webhookEndpoint(c: WebhookConfig, baseDir: string, fail: WebhookFieldError): WebhookEndpoint {
  const read = (file: string, path: Array<string | number>): string => readSmall(resolve(baseDir, file), (detail) => fail(detail, path));
  const url = c.url ?? read(c.url_file as string, ['url_file']).trim();
  const problem = webhookUrlProblem(url);
  if (problem) throw fail(`the URL in url_file ${problem}`, ['url_file']);
  const h = c.http_config;
  const authorization = authorizationOf(h, read);
  // A newline in a header value would end the header (Node refuses it at send time): refuse it now.
  if (authorization !== undefined && /[\u0000-\u001f\u007f]/.test(authorization)) throw fail('credentials must not contain control characters or newlines', ['http_config']);
  const t = h.tls_config;
  const tls = t === undefined ? undefined : {
    ...(t.ca_file !== undefined ? { ca: read(t.ca_file, ['http_config', 'tls_config', 'ca_file']) } : {}),
    ...(t.cert_file !== undefined ? { cert: read(t.cert_file, ['http_config', 'tls_config', 'cert_file']) } : {}),
    ...(t.key_file !== undefined ? { key: read(t.key_file, ['http_config', 'tls_config', 'key_file']) } : {}),
    ...(t.server_name !== undefined ? { servername: t.server_name } : {}),
    rejectUnauthorized: !t.insecure_skip_verify,
  };
  return {
    url,
    ...(authorization !== undefined ? { authorization } : {}),
    ...(tls !== undefined ? { tls } : {}),
    followRedirects: h.follow_redirects,
    timeoutMs: c.timeout,
    maxAlerts: c.max_alerts,
    sendResolved: c.send_resolved,
  };
}

function authorizationOf(h: WebhookConfig['http_config'], read: (file: string, path: Array<string | number>) => string): string | undefined {
  if (h.authorization) {
    const a = h.authorization;
    const credentials = a.credentials ?? read(a.credentials_file as string, ['http_config', 'authorization', 'credentials_file']).trim();
    return `${a.type} ${credentials}`;
  }
  if (h.bearer_token !== undefined) return `Bearer ${h.bearer_token}`;
  if (h.bearer_token_file !== undefined) return `Bearer ${read(h.bearer_token_file, ['http_config', 'bearer_token_file']).trim()}`;
  if (h.basic_auth) {
    const b = h.basic_auth;
    // Prometheus common config trims password files too (a trailing newline is never part of the secret).
    const password = b.password ?? (b.password_file !== undefined ? read(b.password_file, ['http_config', 'basic_auth', 'password_file']).trim() : '');
    return `Basic ${Buffer.from(`${b.username}:${password}`, 'utf8').toString('base64')}`;
  }
  return undefined;
}

function readSmall(path: string, fail: (detail: string) => ConfigError): string {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw fail(`cannot read ${path}: ${errorMessage(err)}`);
  }
  if (text.length > MAX_FILE_BYTES) throw fail(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
  return text.toString('utf8');
}

/**
 * Fills in every webhook config's endpoint at load (parseConfig): files relative to warden.yaml,
 * errors with file:line:field. Returns a new notify config; the parsed one is not changed.
 */
export function resolveWebhookEndpoints(source: YamlSource, notify: NotifyConfig): NotifyConfig {
  const baseDir = dirname(source.file);
  const receivers = notify.receivers.map((r, i) => {
    if (r.webhook_configs.length === 0) return r;
    const webhook_configs = r.webhook_configs.map((c, j) => {
      const at = ['notify', 'receivers', i, 'webhook_configs', j];
      const fail: WebhookFieldError = (detail, path) => {
        const full = [...at, ...path];
        return new ConfigError(detail, { file: source.file, ...source.position(full), field: formatPath(full) });
      };
      return { ...c, endpoint: webhookEndpoint(c, baseDir, fail) };
    });
    return { ...r, webhook_configs };
  });
  return { ...notify, receivers };
}
