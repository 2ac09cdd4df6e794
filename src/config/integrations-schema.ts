import { z } from 'zod';
import { ConfigError } from '../errors';
import { readSecret } from './resolve-tokens';
import { duration } from './schema-types';
import type { YamlSource } from './yaml-source';

/**
 * warden.yaml `integrations:` — what Warden listens to (issue 13): PagerDuty webhooks v3 and Slack
 * interactivity. Secrets come inline, from a file (relative to warden.yaml) or from an environment
 * variable, exactly one per entry, like auth tokens; they are read once at load (fail fast).
 */

export const SECRET_SOURCES = ['secret', 'secret_file', 'secret_env'] as const;

/** Signing secrets shorter than this are refused: an HMAC is only as strong as its key. */
const MIN_SECRET_CHARS = 16;

export const secretSourceSchema = z.strictObject({
  secret: z.string().min(1).optional(),
  secret_file: z.string().min(1).optional(),
  secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
}).superRefine((s, ctx) => {
  const given = SECRET_SOURCES.filter((k) => s[k] !== undefined);
  if (given.length === 0) ctx.addIssue({ code: 'custom', message: `needs exactly one of ${SECRET_SOURCES.join(', ')}` });
  else if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1] as string], message: `give only one of ${SECRET_SOURCES.join(', ')} (also has ${given[0]})` });
});
export type SecretSource = z.output<typeof secretSourceSchema>;

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user ID like U0123ABCD');
const slackGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group ID like S0123ABCD');

const pagerdutyIntegrationSchema = z.strictObject({
  /**
   * The webhook subscription's signing secrets. More than one while a secret is being rotated on
   * Warden's side; PagerDuty itself sends one `v1=` signature per secret it holds.
   */
  webhook_secrets: z.array(secretSourceSchema).min(1, 'needs at least one signing secret'),
  /** How long a delivery's X-Webhook-Id is remembered: a replay within it is refused. @defaultValue 72h */
  replay_window: duration().default(72 * 3_600_000),
});

const slackIntegrationSchema = z.strictObject({
  /** The Slack app's signing secret (Basic Information -> App Credentials). */
  signing_secret: secretSourceSchema,
  /** Bot token (chat:write, usergroups:read) for chat.update and thread replies; default: the first Slack receiver's token. */
  bot_token: secretSourceSchema.optional(),
  /** Web API base URL. */
  api_url: z.string().regex(/^https?:\/\/\S+\/$/, 'must be an http(s) URL ending in /, like https://slack.com/api/').default('https://slack.com/api/'),
  /** Requests signed longer ago than this (or this far in the future) are refused (Slack: 5 minutes). */
  max_age: duration().default(5 * 60_000),
  /** Who may press Approve / Reject when a remediation rule names no Slack approver of its own. */
  approvers: z.strictObject({
    users: z.array(slackUserId).default([]),
    usergroups: z.array(slackGroupId).default([]),
  }).default({ users: [], usergroups: [] }),
  /** Channel (ID or #name) where remediations awaiting approval are posted with Approve / Reject. */
  approval_channel: z.string().min(1).optional(),
});

export const integrationsConfigSchema = z.strictObject({
  pagerduty: pagerdutyIntegrationSchema.optional(),
  slack: slackIntegrationSchema.optional(),
});

type ParsedIntegrations = z.output<typeof integrationsConfigSchema>;
type ParsedSlack = NonNullable<ParsedIntegrations['slack']>;

/** `integrations:` once load-config read its secrets: clear text, never logged or served. */
export interface IntegrationsConfig {
  pagerduty?: { webhookSecrets: string[]; replayWindowMs: number };
  slack?: { signingSecret: string; botToken?: string; apiUrl: string; maxAgeMs: number; approvers: ParsedSlack['approvers']; approvalChannel?: string };
}

/** Reads every integration secret (fail fast: an unset variable stops Warden starting). */
export function resolveIntegrations(source: YamlSource, parsed: ParsedIntegrations, env: NodeJS.ProcessEnv): IntegrationsConfig {
  const read = (s: SecretSource, path: Array<string | number>, minChars = MIN_SECRET_CHARS): string => {
    const key = SECRET_SOURCES.find((k) => s[k] !== undefined) as string;
    const at = ['integrations', ...path, key];
    const fail = (detail: string) => new ConfigError(detail, { file: source.file, ...source.position(at), field: at.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[') });
    const secret = readSecret({ inline: s.secret, file: s.secret_file, env: s.secret_env }, source.file, env, fail);
    if (secret.length < minChars) throw fail(`secret must be at least ${minChars} characters`);
    return secret;
  };
  const out: IntegrationsConfig = {};
  const pd = parsed.pagerduty;
  if (pd) out.pagerduty = { webhookSecrets: pd.webhook_secrets.map((s, i) => read(s, ['pagerduty', 'webhook_secrets', i])), replayWindowMs: pd.replay_window };
  const slack = parsed.slack;
  if (slack) {
    out.slack = {
      signingSecret: read(slack.signing_secret, ['slack', 'signing_secret']),
      ...(slack.bot_token ? { botToken: read(slack.bot_token, ['slack', 'bot_token'], 1) } : {}),
      apiUrl: slack.api_url,
      maxAgeMs: slack.max_age,
      approvers: slack.approvers,
      ...(slack.approval_channel ? { approvalChannel: slack.approval_channel } : {}),
    };
  }
  return out;
}
