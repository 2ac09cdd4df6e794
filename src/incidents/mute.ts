import type { IncidentAlert } from './incident';
import type { Inhibitor } from './inhibitor';
import type { SilenceStore } from './silence-store';

export interface MuteResult {
  /** Firing alerts neither silenced nor inhibited: what a notification shows. */
  readonly notify: IncidentAlert[];
  /** Why the first muted alert is muted ("silenced by alice (silence 1f...)"). */
  readonly reason?: string;
  readonly kind?: 'silenced' | 'inhibited' | 'maintenance';
}

/** Maintenance windows (issue 13 §3) as the Muter sees them: recorded, not notified, while one matches. */
export interface MaintenanceMuter {
  mutedBy(labels: Readonly<Record<string, string>>): { id: string; name: string } | undefined;
}

/** Alertmanager's Muter stages: inhibition first, then silences, then maintenance windows (its time intervals); per alert, not per group. */
export function muteAlerts(alerts: readonly IncidentAlert[], firing: readonly IncidentAlert[], silences: SilenceStore, inhibitor: Inhibitor, maintenance?: MaintenanceMuter): MuteResult {
  const notify: IncidentAlert[] = [];
  let reason: string | undefined;
  let kind: MuteResult['kind'];
  for (const a of alerts) {
    const inhibited = inhibitor.inhibitedBy(a, firing);
    const silence = inhibited ? undefined : silences.mutedBy(a.labels);
    const window = inhibited || silence ? undefined : maintenance?.mutedBy(a.labels);
    if (!inhibited && !silence && !window) {
      notify.push(a);
      continue;
    }
    if (reason === undefined) {
      if (inhibited) reason = inhibited;
      else if (silence) reason = `silenced by ${silence.createdBy} (silence ${silence.id}: ${silence.comment})`;
      else reason = `in maintenance window "${window?.name}" (${window?.id})`;
      kind = inhibited ? 'inhibited' : silence ? 'silenced' : 'maintenance';
    }
  }
  return { notify, reason, kind };
}
