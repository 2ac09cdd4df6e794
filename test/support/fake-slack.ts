import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

/**
 * A local Slack Web API speaking its wire format: POST /api/<method>, body form-urlencoded
 * (nested values JSON-encoded, as WebClient sends them) or JSON, token as `Authorization: Bearer`
 * or a `token` field, HTTP 200 with `{ok:true,...}` / `{ok:false,error}`, and 429 + Retry-After
 * when rate limited. Only what Warden uses (chat.postMessage, chat.update, usergroups.users.list,
 * auth.test) is implemented.
 */

/** A chat.update Slack accepted: the message it replaced, as it now reads. */
export interface SlackUpdate {
  receivedAtMs: number;
  channel: string;
  ts: string;
  text?: string;
  blocks?: any[];
}

export interface PostedSlackMessage {
  receivedAtMs: number;
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: any[];
  args: Record<string, any>;
  contentType: string;
}

/** 'ok' answers normally; the others answer every request that way until changed. */
export type SlackFailureMode = 'ok' | 'rate-limited' | 'http-503' | 'fatal_error' | 'hang';

const BLOCK_TYPES = new Set(['header', 'section', 'context', 'divider', 'actions', 'image', 'rich_text']);

export class FakeSlack {
  readonly messages: PostedSlackMessage[] = [];
  readonly updates: SlackUpdate[] = [];
  /** usergroups.users.list answers: group id -> member user ids. */
  readonly usergroups = new Map<string, string[]>();
  mode: SlackFailureMode = 'ok';
  /** Answers (and records) each request this much later, like a slow provider. */
  delayMs = 0;
  retryAfterSec = 7;
  requests = 0;
  readonly #server: Server;
  readonly #tokens: Set<string>;
  /** name -> id; a channel can be addressed by either. */
  readonly #channels: Map<string, string>;
  #tsCounter = 0;

  private constructor(tokens: string[], channels: Record<string, string>) {
    this.#tokens = new Set(tokens);
    this.#channels = new Map(Object.entries(channels));
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(opts: { tokens?: string[]; channels?: Record<string, string> } = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(opts.tokens ?? ['xoxb-test-token'], opts.channels ?? { alerts: 'C0ALERTS01' });
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** http://127.0.0.1:PORT/api/ — WebClient's slackApiUrl. */
  get apiUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/api/`;
  }

  /** Replies posted in the thread of `ts`. */
  thread(ts: string): PostedSlackMessage[] {
    return this.messages.filter((m) => m.thread_ts === ts);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    this.requests += 1;
    if (this.mode === 'hang') return;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.mode === 'http-503') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    if (this.mode === 'rate-limited') return reply(res, { ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(this.retryAfterSec) });
    if (this.mode === 'fatal_error') return reply(res, { ok: false, error: 'fatal_error' });
    const contentType = String(req.headers['content-type'] ?? '');
    const args = parseArgs(text, contentType);
    if (args === undefined) return reply(res, { ok: false, error: 'invalid_form_data' });
    const authError = this.#authError(req, args);
    if (authError) return reply(res, { ok: false, error: authError });
    const method = (req.url ?? '').replace(/^\/api\//, '');
    if (method === 'auth.test') return reply(res, { ok: true, team: 'warden-test', user: 'warden' });
    if (method === 'chat.update') return this.#update(res, args);
    if (method === 'usergroups.users.list') {
      const users = this.usergroups.get(String(args.usergroup ?? ''));
      return reply(res, users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' });
    }
    if (method !== 'chat.postMessage') return reply(res, { ok: false, error: 'unknown_method' }, 404);
    this.#postMessage(res, args, contentType);
  }

  #authError(req: IncomingMessage, args: Record<string, any>): string | undefined {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : args.token;
    if (!token) return 'not_authed';
    return this.#tokens.has(token) ? undefined : 'invalid_auth';
  }

  #postMessage(res: ServerResponse, args: Record<string, any>, contentType: string): void {
    const channelId = this.#channelId(String(args.channel ?? ''));
    if (!channelId) return reply(res, { ok: false, error: 'channel_not_found' });
    let blocks: any[] | undefined;
    try {
      blocks = typeof args.blocks === 'string' ? JSON.parse(args.blocks) : args.blocks;
    } catch {
      return reply(res, { ok: false, error: 'invalid_blocks_format' });
    }
    if (blocks !== undefined && !validBlocks(blocks)) return reply(res, { ok: false, error: 'invalid_blocks' });
    if (!args.text && !blocks) return reply(res, { ok: false, error: 'no_text' });
    this.#tsCounter += 1;
    const ts = `${1_700_000_000 + this.#tsCounter}.${String(this.#tsCounter).padStart(6, '0')}`;
    const message: PostedSlackMessage = { receivedAtMs: Date.now(), channel: channelId, ts, text: args.text, blocks, args, contentType };
    if (args.thread_ts) message.thread_ts = String(args.thread_ts);
    this.messages.push(message);
    reply(res, { ok: true, channel: channelId, ts, message: { type: 'message', text: args.text, ts, thread_ts: message.thread_ts, blocks } });
  }

  /** chat.update: channel must be an ID (Slack refuses names here) and ts a message it holds. */
  #update(res: ServerResponse, args: Record<string, any>): void {
    const channel = String(args.channel ?? '');
    if (![...this.#channels.values()].includes(channel)) return reply(res, { ok: false, error: 'channel_not_found' });
    const ts = String(args.ts ?? '');
    if (!this.messages.some((m) => m.ts === ts && m.channel === channel)) return reply(res, { ok: false, error: 'message_not_found' });
    let blocks: any[] | undefined;
    try {
      blocks = typeof args.blocks === 'string' ? JSON.parse(args.blocks) : args.blocks;
    } catch {
      return reply(res, { ok: false, error: 'invalid_blocks_format' });
    }
    if (blocks !== undefined && !validBlocks(blocks)) return reply(res, { ok: false, error: 'invalid_blocks' });
    this.updates.push({ receivedAtMs: Date.now(), channel, ts, text: args.text, blocks });
    reply(res, { ok: true, channel, ts, text: args.text });
  }

  #channelId(channel: string): string | undefined {
    const name = channel.replace(/^#/, '');
    if (this.#channels.has(name)) return this.#channels.get(name);
    return [...this.#channels.values()].includes(channel) ? channel : undefined;
  }
}

/** The Block Kit rules Slack enforces that Warden could break: known types, header plain_text <= 150. */
function validBlocks(blocks: unknown): boolean {
  if (!Array.isArray(blocks) || blocks.length > 50) return false;
  return blocks.every((b) => {
    if (!BLOCK_TYPES.has(b?.type)) return false;
    if (b.type === 'header') return b.text?.type === 'plain_text' && typeof b.text.text === 'string' && b.text.text.length <= 150;
    if (b.type === 'section') return (b.text !== undefined || Array.isArray(b.fields)) && (b.fields === undefined || b.fields.length <= 10);
    if (b.type === 'context') return Array.isArray(b.elements) && b.elements.length >= 1 && b.elements.length <= 10;
    if (b.type === 'actions') return Array.isArray(b.elements) && b.elements.length >= 1 && b.elements.length <= 25 && b.elements.every(validButton);
    return true;
  });
}

/** Block Kit button: plain_text label <= 75, action_id <= 255 and unique, value <= 2000. */
function validButton(e: any): boolean {
  return e?.type === 'button' && e.text?.type === 'plain_text' && typeof e.text.text === 'string' && e.text.text.length <= 75
    && typeof e.action_id === 'string' && e.action_id.length <= 255 && (e.value === undefined || (typeof e.value === 'string' && e.value.length <= 2000));
}

function parseArgs(text: string, contentType: string): Record<string, any> | undefined {
  if (contentType.startsWith('application/json')) {
    try {
      return JSON.parse(text) as Record<string, any>;
    } catch {
      return undefined;
    }
  }
  return { ...parseQuery(text) };
}

function reply(res: ServerResponse, body: object, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
