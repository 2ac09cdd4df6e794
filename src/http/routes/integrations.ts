import express, { type Request, type Response, type Router } from 'express';
import type { WebhookAnswer, WebhookRequest } from '../../integrations/pagerduty-webhook';
import { readRawBody } from '../read-json-body';

export interface IntegrationRouteDeps {
  pagerduty?: { receive(req: WebhookRequest): Promise<WebhookAnswer> };
  slack?: { receive(req: WebhookRequest): Promise<WebhookAnswer> };
}

/** PagerDuty's webhook payloads are small; 1 MiB is generous. Slack's interaction payloads are smaller still. */
const PAGERDUTY_MAX_BYTES = 1024 * 1024;
const SLACK_MAX_BYTES = 256 * 1024;

/**
 * Inbound integrations (issue 13 §1). No bearer token: the request's signature over the raw
 * bytes is its authentication, so the body is read raw and handed over unparsed.
 */
export function integrationRoutes(deps: IntegrationRouteDeps): Router {
  const router = express.Router();
  const { pagerduty, slack } = deps;
  if (pagerduty) router.post('/v1/integrations/pagerduty', readRawBody(PAGERDUTY_MAX_BYTES), (req, res) => answer(req, res, pagerduty));
  if (slack) router.post('/v1/integrations/slack', readRawBody(SLACK_MAX_BYTES), (req, res) => answer(req, res, slack));
  return router;
}

async function answer(req: Request, res: Response, receiver: { receive(req: WebhookRequest): Promise<WebhookAnswer> }): Promise<void> {
  const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const a = await receiver.receive({ headers: req.headers, rawBody, remoteAddress: req.socket.remoteAddress });
  res.status(a.status).json(a.body);
}
