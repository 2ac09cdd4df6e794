import type { Notification, Transition } from './notifier';

/** The word each channel shows for a transition, in one place so Slack and email say the same. */
export const TRANSITION_LABEL: Record<Transition, string> = {
  trigger: 'TRIGGERED',
  acknowledge: 'ACKNOWLEDGED',
  resolve: 'RESOLVED',
  escalate: 'ESCALATED',
  repeat: 'STILL FIRING',
  remind: 'ACKNOWLEDGED, STILL OPEN',
};

/** "ESCALATED (level 2)" for escalations, the plain label otherwise. */
export function transitionLabel(n: Pick<Notification, 'transition' | 'escalationLevel'>): string {
  const label = TRANSITION_LABEL[n.transition];
  return n.transition === 'escalate' && n.escalationLevel !== undefined ? `${label} (level ${n.escalationLevel})` : label;
}
