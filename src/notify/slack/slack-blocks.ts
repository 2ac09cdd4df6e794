import type { Notification } from '../notifier';
import { transitionLabel } from '../transition-label';
import { incidentButtons } from './slack-buttons';

/**
 * The pure transform from a notification to a chat.postMessage body (Block Kit), apart from the
 * transport. Trigger: header with severity and summary, fields, context with the incident id.
 * Later transitions are short replies in the trigger's thread.
 */

export type Block = Record<string, unknown>;

export interface SlackMessage {
  channel: string;
  /** Fallback for notifications and clients without Block Kit. */
  text: string;
  blocks: Block[];
  thread_ts?: string;
  /** Escalations and re-pages in a thread are also shown in the channel. */
  reply_broadcast?: boolean;
  unfurl_links: false;
}

/** Block Kit limits: header text 150 characters, section text 3000, 10 fields of 2000 each. */
const MAX_HEADER = 150;
const MAX_TEXT = 3000;
const MAX_FIELDS = 10;
const MAX_ALERTS_LISTED = 10;

const SEVERITY_EMOJI: Record<Notification['severity'], string> = { P0: ':red_circle:', P1: ':large_orange_circle:', P2: ':large_yellow_circle:', P3: ':white_circle:' };

export function buildSlackMessage(n: Notification, channel: string): SlackMessage {
  const inThread = n.transition !== 'trigger' && n.threadRef !== undefined;
  const headline = `[${n.severity}] ${transitionLabel(n)}: ${n.summary}`;
  const message: SlackMessage = {
    channel,
    text: n.note ? `${n.note}: ${headline}` : headline,
    blocks: inThread ? threadReplyBlocks(n) : incidentBlocks(n),
    unfurl_links: false,
  };
  if (inThread) {
    message.thread_ts = n.threadRef;
    if (n.transition === 'escalate' || n.transition === 'repeat' || n.transition === 'remind') message.reply_broadcast = true;
  }
  return message;
}

function incidentBlocks(n: Notification): Block[] {
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${n.severity} ${transitionLabel(n)}: ${n.summary}`, MAX_HEADER), emoji: true } },
  ];
  if (n.note) blocks.push(section(`:warning: *${escape(n.note)}*`));
  blocks.push({ type: 'section', fields: fields(n) });
  if (n.alerts.length > 0) blocks.push(section(alertList(n)));
  blocks.push(context(n));
  return withButtons(blocks, n);
}

/** Every message carries the buttons its incident's state allows (issue 13 §1). */
function withButtons(blocks: Block[], n: Notification): Block[] {
  const buttons = incidentButtons(n.incidentId, n.transition === 'resolve' ? 'resolved' : n.status);
  return buttons ? [...blocks, buttons] : blocks;
}

function threadReplyBlocks(n: Notification): Block[] {
  const who = n.acknowledgedBy ? ` by *${escape(n.acknowledgedBy)}*` : '';
  const line = `${SEVERITY_EMOJI[n.severity]} *${transitionLabel(n)}*${n.transition === 'acknowledge' ? who : ''}: ${escape(n.summary)}`;
  const blocks: Block[] = [section(n.note ? `:warning: *${escape(n.note)}*\n${line}` : line)];
  blocks.push(context(n));
  return withButtons(blocks, n);
}

function fields(n: Notification): Block[] {
  const out: Array<[string, string]> = [
    ['Severity', `${SEVERITY_EMOJI[n.severity]} ${n.severity}`],
    ['Status', n.status],
  ];
  if (n.labels['component']) out.push(['Component', n.labels['component']]);
  if (n.escalationLevel !== undefined) out.push(['Escalation level', String(n.escalationLevel)]);
  const shown = new Set(['component', 'severity']);
  for (const [name, value] of Object.entries(n.labels)) {
    if (out.length >= MAX_FIELDS) break;
    if (!shown.has(name)) out.push([name, value]);
  }
  return out.map(([title, value]) => ({ type: 'mrkdwn', text: truncate(`*${escape(title)}*\n${escape(value)}`, 2000) }));
}

function alertList(n: Notification): string {
  const lines = n.alerts.slice(0, MAX_ALERTS_LISTED).map((a) => `• \`${escape(a.name)}\` ${escape(a.state)} since <!date^${Math.floor(a.activeAtMs / 1000)}^{time_secs}|${new Date(a.activeAtMs).toISOString()}>`);
  const total = n.alertsTotal ?? n.alerts.length;
  const more = total > lines.length ? `\n…and ${total - lines.length} more` : '';
  return truncate(`*${total} alert${total === 1 ? '' : 's'}*\n${lines.join('\n')}${more}`, MAX_TEXT);
}

function context(n: Notification): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `Incident \`${escape(n.incidentId)}\` · fingerprint \`${escape(n.fingerprint)}\` · receiver ${escape(n.receiver)}` }] };
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, MAX_TEXT) } };
}

/** Slack mrkdwn needs &, < and > escaped; everything else is literal. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
