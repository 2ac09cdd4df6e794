import { z } from 'zod';
import { duration } from './schema-types';
import { webhookConfigSchema } from './webhook-config';

/**
 * A receiver in warden.yaml `notify.receivers`, in Alertmanager's shape (snake_case, unknown keys
 * rejected): a name and any number of PagerDuty, Slack, email and webhook configs.
 */

/** spec §3.4 puts external calls at a few seconds; 10 s leaves room for a slow SMTP greeting. */
const DEFAULT_TIMEOUT_MS = 10_000;

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/, 'must be host:port, e.g. smtp.example.com:587')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be 1-65535');

export const pagerdutyConfigSchema = z.strictObject({
  /** The Events API v2 integration key of the PagerDuty service. */
  routing_key: z.string().min(1),
  /** Events API base; pdjs always speaks https, so only https URLs (path ignored). */
  url: z.string().regex(/^https:\/\/[^/\s]+\/?$/, 'must be an https base URL like https://events.pagerduty.com').default('https://events.pagerduty.com'),
  timeout: duration().default(DEFAULT_TIMEOUT_MS),
  /** A PEM file of extra CAs to trust for this endpoint only (a private relay, or the test server). */
  tls_ca_file: z.string().min(1).optional(),
});

export const slackConfigSchema = z.strictObject({
  /** A bot token (xoxb-...) with chat:write. */
  token: z.string().min(1),
  /** Channel name (#alerts) or ID (C0123...). */
  channel: z.string().min(1),
  /** Web API base URL; the client appends the method name. */
  api_url: z.string().regex(/^https?:\/\/\S+\/$/, 'must be an http(s) URL ending in /, like https://slack.com/api/').default('https://slack.com/api/'),
  timeout: duration().default(DEFAULT_TIMEOUT_MS),
});

export const emailConfigSchema = z.strictObject({
  /** One address or several, comma-separated (like Alertmanager's `to`). */
  to: z.string().min(3),
  from: z.string().min(3),
  smarthost: hostPort,
  auth_username: z.string().min(1).optional(),
  auth_password: z.string().min(1).optional(),
  /** Alertmanager defaults to true: refuse to send over a connection that cannot STARTTLS. */
  require_tls: z.boolean().default(true),
  timeout: duration().default(DEFAULT_TIMEOUT_MS),
  /** A PEM file of extra CAs to trust for this smarthost's certificate. */
  tls_ca_file: z.string().min(1).optional(),
}).refine((c) => (c.auth_username === undefined) === (c.auth_password === undefined), {
  message: 'auth_username and auth_password go together',
  path: ['auth_password'],
});

export const receiverSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, _ . or -'),
  pagerduty_configs: z.array(pagerdutyConfigSchema).default([]),
  slack_configs: z.array(slackConfigSchema).default([]),
  email_configs: z.array(emailConfigSchema).default([]),
  /** Alertmanager's webhook payload (version 4) POSTed to any HTTP endpoint (issue 15 §4). */
  webhook_configs: z.array(webhookConfigSchema).default([]),
});

export type PagerDutyConfig = z.output<typeof pagerdutyConfigSchema>;
export type SlackConfig = z.output<typeof slackConfigSchema>;
export type EmailConfig = z.output<typeof emailConfigSchema>;
export type ReceiverConfig = z.output<typeof receiverSchema>;
