import { LogLevel, WebClient, type ChatPostMessageArguments, type ChatUpdateArguments } from '@slack/web-api';

type Block = Record<string, unknown>;

/** How long a user group's members are trusted before asking Slack again. */
const GROUP_CACHE_MS = 60_000;

/**
 * The Slack Web API calls the interactivity side makes, through the official WebClient:
 * chat.update (the message whose button was pressed), chat.postMessage (a line in its thread, an
 * approval request) and usergroups.users.list (is this user an approver?).
 */
export class SlackWebApi {
  readonly #client: WebClient;
  readonly #clock: () => number;
  readonly #groups = new Map<string, { users: ReadonlySet<string>; atMs: number }>();

  constructor(opts: { token: string; apiUrl: string; clock?: () => number }) {
    this.#client = new WebClient(opts.token, { slackApiUrl: opts.apiUrl, retryConfig: { retries: 2, minTimeout: 100, maxTimeout: 1000 }, logLevel: LogLevel.ERROR, timeout: 10_000, allowAbsoluteUrls: false });
    this.#clock = opts.clock ?? Date.now;
  }

  async update(channel: string, ts: string, text: string, blocks: Block[]): Promise<void> {
    await this.#client.chat.update({ channel, ts, text, blocks } as unknown as ChatUpdateArguments);
  }

  /** Returns the new message's ts. */
  async post(channel: string, text: string, o: { threadTs?: string; blocks?: Block[] } = {}): Promise<{ ts: string; channel: string }> {
    const r = await this.#client.chat.postMessage({ channel, text, unfurl_links: false, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), ...(o.blocks ? { blocks: o.blocks } : {}) } as unknown as ChatPostMessageArguments);
    return { ts: r.ts as string, channel: r.channel as string };
  }

  async inGroup(userId: string, groupId: string): Promise<boolean> {
    const now = this.#clock();
    let cached = this.#groups.get(groupId);
    if (!cached || now - cached.atMs > GROUP_CACHE_MS) {
      const r = await this.#client.usergroups.users.list({ usergroup: groupId });
      cached = { users: new Set(r.users ?? []), atMs: now };
      this.#groups.set(groupId, cached);
    }
    return cached.users.has(userId);
  }
}
