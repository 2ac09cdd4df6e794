import type { Incident } from './incident';

/**
 * Whether an acknowledged P0 is due a reminder (issue 13: an ack must not let a P0 sit open for
 * good): `reminderMs` after the acknowledgement, then every `reminderMs` after the last reminder.
 */
export function ackReminderDue(inc: Incident, nowMs: number, reminderMs: number): boolean {
  if (reminderMs <= 0 || inc.status !== 'acknowledged' || inc.severity !== 'P0' || inc.acknowledgedAtMs === undefined) return false;
  const since = Math.max(inc.acknowledgedAtMs, inc.escalation.lastReminderAtMs ?? 0);
  return nowMs - since >= reminderMs;
}
