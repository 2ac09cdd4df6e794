import type Redis from 'ioredis';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-log';
import type { WardenConfig } from '../config/schema';
import { ConfigError } from '../errors';
import { integrationRoutes } from '../http/routes/integrations';
import type { IncidentActions } from '../integrations/incident-actions';
import { PagerDutyWebhook } from '../integrations/pagerduty-webhook';
import type { ApprovalDecider } from '../integrations/slack-approval';
import { SlackApprovalAnnouncer } from '../integrations/slack-approval-announcer';
import { SlackInteractivity } from '../integrations/slack-interactivity';
import { SlackWebApi } from '../integrations/slack-web-api';

export interface IntegrationsDeps {
  config: WardenConfig;
  configFile: string;
  redis: Redis;
  incidents: IncidentActions;
  /** Remediation approvals; `announceWith` takes the Slack poster when approval_channel is set. */
  approvals?: ApprovalDecider & { announceWith?(announcer: SlackApprovalAnnouncer): void };
  audit: AuditLog;
  log: Logger;
  clock: () => number;
}

export interface Integrations {
  readonly routers: Router[];
  /** The Slack Web API client (approval requests are posted through it), when Slack is configured. */
  readonly slack?: SlackWebApi;
}

/** Issue 13 §1: PagerDuty webhooks and Slack buttons, each on only when `integrations:` configures it. */
export function startIntegrations(d: IntegrationsDeps): Integrations {
  const log = d.log.child({ stage: 'integrations' });
  const { pagerduty, slack } = d.config.integrations;
  const pd = pagerduty && new PagerDutyWebhook({ redis: d.redis, prefix: d.config.redis.prefix, secrets: pagerduty.webhookSecrets, replayWindowMs: pagerduty.replayWindowMs, incidents: d.incidents, audit: d.audit, log });
  let api: SlackWebApi | undefined;
  let interactivity: SlackInteractivity | undefined;
  if (slack) {
    const token = slack.botToken ?? d.config.notify.receivers.flatMap((r) => r.slack_configs.map((c) => c.token))[0];
    if (token === undefined) throw new ConfigError('integrations.slack needs a bot_token (or a Slack receiver whose token it can use)', { file: d.configFile, field: 'integrations.slack.bot_token' });
    api = new SlackWebApi({ token, apiUrl: slack.apiUrl, clock: d.clock });
    // Issue 13 §2: jobs awaiting approval are posted there with Approve / Reject.
    if (slack.approvalChannel) d.approvals?.announceWith?.(new SlackApprovalAnnouncer(api, slack.approvalChannel));
    interactivity = new SlackInteractivity({ signingSecret: slack.signingSecret, maxAgeMs: slack.maxAgeMs, api, incidents: d.incidents, approvals: d.approvals, approvers: slack.approvers, audit: d.audit, log, clock: d.clock });
  }
  return { routers: [integrationRoutes({ pagerduty: pd, slack: interactivity })], ...(api ? { slack: api } : {}) };
}
