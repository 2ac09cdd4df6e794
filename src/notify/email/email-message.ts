import { createHash } from 'node:crypto';
import type { Notification } from '../notifier';
import { transitionLabel } from '../transition-label';

/**
 * The pure transform from a notification to one email (issue 5 §2: one message per incident
 * transition). Message-IDs are stable — the same notification always gets the same one, so a
 * re-send after a crash is recognisably the same message — and every later message points at the
 * trigger's with In-Reply-To/References, so mail clients thread an incident together.
 */

export interface EmailMessage {
  messageId: string;
  inReplyTo?: string;
  references?: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** Message-ID left-hand side: dot-atom characters only (RFC 5322). */
function atom(text: string): string {
  return text.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+/g, '-');
}

/** The trigger's Message-ID of an incident; also the thread root when no threadRef was kept. */
export function rootMessageId(incidentId: string): string {
  return `<${atom(incidentId)}.trigger@warden>`;
}

/** `<incident.transition.seq@warden>`; seq is a short hash of the idempotency key (repeats and escalations differ). */
export function messageIdFor(n: Pick<Notification, 'incidentId' | 'transition' | 'key'>): string {
  if (n.transition === 'trigger') return rootMessageId(n.incidentId);
  const seq = createHash('sha256').update(n.key).digest('hex').slice(0, 12);
  return `<${atom(n.incidentId)}.${n.transition}.${seq}@warden>`;
}

export function buildEmail(n: Notification): EmailMessage {
  const messageId = messageIdFor(n);
  const message: EmailMessage = {
    messageId,
    subject: subjectOf(n),
    text: textBody(n),
    html: htmlBody(n),
    headers: {
      'X-Warden-Incident': n.incidentId,
      'X-Warden-Fingerprint': n.fingerprint,
      'X-Warden-Transition': n.transition,
      'X-Warden-Severity': n.severity,
    },
  };
  if (n.transition !== 'trigger') {
    const root = n.threadRef ?? rootMessageId(n.incidentId);
    message.inReplyTo = root;
    message.references = root;
  }
  return message;
}

/** "[P1] [TRIGGERED] summary"; the note first when there is one ("PagerDuty unreachable"). */
export function subjectOf(n: Notification): string {
  const note = n.note ? `[${n.note}] ` : '';
  return `${note}[${n.severity}] [${transitionLabel(n)}] ${n.summary}`.replace(/[\r\n]+/g, ' ');
}

function facts(n: Notification): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['Incident', n.incidentId],
    ['Severity', n.severity],
    ['Status', n.status],
    ['Started', new Date(n.startedAtMs).toISOString()],
  ];
  if (n.acknowledgedBy) out.push(['Acknowledged by', n.acknowledgedBy]);
  if (n.escalationLevel !== undefined) out.push(['Escalation level', String(n.escalationLevel)]);
  out.push(['Fingerprint', n.fingerprint], ['Receiver', n.receiver]);
  return out;
}

function textBody(n: Notification): string {
  const lines = [n.note ? `*** ${n.note} ***\n` : '', `${n.severity} ${transitionLabel(n)}: ${n.summary}`, ''];
  for (const [k, v] of facts(n)) lines.push(`${k}: ${v}`);
  lines.push('', 'Labels:', ...Object.entries(n.labels).map(([k, v]) => `  ${k}=${v}`));
  if (Object.keys(n.annotations).length > 0) lines.push('', 'Annotations:', ...Object.entries(n.annotations).map(([k, v]) => `  ${k}: ${v}`));
  lines.push('', `Alerts (${n.alertsTotal ?? n.alerts.length}):`, ...n.alerts.map((a) => `  - ${a.name} ${a.state} since ${new Date(a.activeAtMs).toISOString()}`));
  if (n.truncatedAlerts) lines.push(`  ...and ${n.truncatedAlerts} more`);
  return lines.filter((l, i) => i > 0 || l !== '').join('\n') + '\n';
}

function htmlBody(n: Notification): string {
  const rows = facts(n).map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('');
  const labels = Object.entries(n.labels).map(([k, v]) => `<li><code>${esc(k)}=${esc(v)}</code></li>`).join('');
  const more = n.truncatedAlerts ? `<li>…and ${n.truncatedAlerts} more</li>` : '';
  const alerts = n.alerts.map((a) => `<li>${esc(a.name)} ${esc(a.state)} since ${esc(new Date(a.activeAtMs).toISOString())}</li>`).join('') + more;
  const note = n.note ? `<p><strong>${esc(n.note)}</strong></p>` : '';
  return `<!doctype html><html><body>${note}<h2>${esc(`${n.severity} ${transitionLabel(n)}: ${n.summary}`)}</h2><table>${rows}</table><h3>Labels</h3><ul>${labels}</ul><h3>Alerts (${n.alertsTotal ?? n.alerts.length})</h3><ul>${alerts}</ul></body></html>`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
