import { z } from 'zod';
import { duration } from './schema-types';

/**
 * `webhook_configs` of a receiver (issue 15 §4), in Alertmanager's shape: url (or url_file),
 * send_resolved, max_alerts, timeout and the http_config subset a webhook needs (Prometheus
 * common's HTTPClientConfig: authorization, basic_auth, bearer_token, tls_config, follow_redirects).
 * Unknown keys (proxy_url, oauth2, ...) are refused rather than silently ignored.
 */

/** spec §3.4 puts external calls at a few seconds; the same default as the other channels. */
const DEFAULT_TIMEOUT_MS = 10_000;
/** A webhook URL longer than this is a mistake (a pasted document), not an endpoint. */
const MAX_URL_CHARS = 2048;

/** Why `text` is not a usable webhook URL, or undefined when it is: http(s), a host, no credentials in it. */
export function webhookUrlProblem(text: string): string | undefined {
  if (text.length > MAX_URL_CHARS) return `must be at most ${MAX_URL_CHARS} characters`;
  if (/\s/.test(text)) return 'must not contain whitespace';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL (got ${url.protocol}//)`;
  if (url.hostname === '') return 'must name a host';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials; put them in http_config.basic_auth';
  return undefined;
}

const webhookUrl = z.string().superRefine((s, ctx) => {
  const problem = webhookUrlProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const filePath = z.string().min(1);

const authorizationSchema = z.strictObject({
  /** The scheme written before the credentials. @defaultValue Bearer */
  type: z.string().regex(/^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/, 'must be an HTTP auth scheme like Bearer').default('Bearer')
    .refine((t) => t.toLowerCase() !== 'basic', 'use http_config.basic_auth for Basic authentication'),
  credentials: z.string().min(1).optional(),
  /** Relative to warden.yaml; read once at load. */
  credentials_file: filePath.optional(),
}).refine((a) => !(a.credentials !== undefined && a.credentials_file !== undefined), { message: 'give only one of credentials, credentials_file', path: ['credentials_file'] })
  .refine((a) => a.credentials !== undefined || a.credentials_file !== undefined, { message: 'needs credentials or credentials_file', path: ['credentials'] });

const basicAuthSchema = z.strictObject({
  // RFC 7617: the user-id cannot contain a colon.
  username: z.string().min(1).regex(/^[^:]*$/, 'must not contain ":"'),
  password: z.string().optional(),
  /** Relative to warden.yaml; read once at load. */
  password_file: filePath.optional(),
}).refine((b) => !(b.password !== undefined && b.password_file !== undefined), { message: 'give only one of password, password_file', path: ['password_file'] });

const tlsConfigSchema = z.strictObject({
  /** PEM file of CAs to trust for this endpoint only (relative to warden.yaml). */
  ca_file: filePath.optional(),
  /** Client certificate and key (mutual TLS), PEM, relative to warden.yaml. */
  cert_file: filePath.optional(),
  key_file: filePath.optional(),
  /** SNI name and the name the certificate must carry, when it differs from the URL's host. */
  server_name: z.string().min(1).optional(),
  insecure_skip_verify: z.boolean().default(false),
}).refine((t) => (t.cert_file === undefined) === (t.key_file === undefined), { message: 'cert_file and key_file go together', path: ['key_file'] });

const httpConfigSchema = z.strictObject({
  authorization: authorizationSchema.optional(),
  basic_auth: basicAuthSchema.optional(),
  /** Prometheus' older spelling of `authorization: {credentials}`. */
  bearer_token: z.string().min(1).optional(),
  bearer_token_file: filePath.optional(),
  tls_config: tlsConfigSchema.optional(),
  /** Follow 307/308 redirects (which keep the POST and its body), at most 10. @defaultValue true */
  follow_redirects: z.boolean().default(true),
}).superRefine((h, ctx) => {
  // Prometheus common config: one way to authenticate.
  const ways = (['authorization', 'basic_auth', 'bearer_token', 'bearer_token_file'] as const).filter((k) => h[k] !== undefined);
  if (ways.length > 1) ctx.addIssue({ code: 'custom', path: [ways[1] as string], message: `give only one of authorization, basic_auth, bearer_token, bearer_token_file (also has ${ways[0]})` });
});

export const webhookConfigSchema = z.strictObject({
  /** Where the payload is POSTed; http or https. Shown as <secret> in /api/v2/status, as Alertmanager does. */
  url: webhookUrl.optional(),
  /** A file holding the URL (for URLs that embed a token), relative to warden.yaml; read once at load. */
  url_file: filePath.optional(),
  /** Also notify when the incident resolves. @defaultValue true (Alertmanager's default) */
  send_resolved: z.boolean().default(true),
  /** At most this many alerts per payload; the rest are counted in truncatedAlerts. 0 = all listed. */
  max_alerts: z.number().int().min(0).default(0),
  /** One attempt's limit, body included; past it the attempt fails and is retried with backoff. */
  timeout: duration().refine((ms) => ms > 0, 'must be more than 0 (a webhook without a timeout could hold its delivery forever)').default(DEFAULT_TIMEOUT_MS),
  http_config: httpConfigSchema.default({ follow_redirects: true }),
}).superRefine((c, ctx) => {
  if (c.url === undefined && c.url_file === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'needs url or url_file' });
  if (c.url !== undefined && c.url_file !== undefined) ctx.addIssue({ code: 'custom', path: ['url_file'], message: 'give only one of url, url_file' });
}).transform((c): typeof c & { endpoint?: WebhookEndpoint } => c);

export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type WebhookHttpConfig = WebhookConfig['http_config'];

/**
 * A webhook config with its files read (url_file, credentials, TLS material): what the notifier
 * needs. Filled in at load (parseConfig), so a missing file is a config error with file:line.
 */
export interface WebhookEndpoint {
  readonly url: string;
  /** The Authorization header value, when the config authenticates. */
  readonly authorization?: string;
  readonly tls?: { readonly ca?: string; readonly cert?: string; readonly key?: string; readonly servername?: string; readonly rejectUnauthorized: boolean };
  readonly followRedirects: boolean;
  readonly timeoutMs: number;
  readonly maxAlerts: number;
  readonly sendResolved: boolean;
}
