import type { IncidentAlert } from './incident';
import type { Inhibitor } from './inhibitor';
import type { SilenceStore } from './silence-store';

export interface MuteResult {
  /** Firing alerts neither silenced nor inhibited: what a notification shows. */
  readonly notify: IncidentAlert[];
  /** Why the first muted alert is muted ("silenced by alice (silence 1f...)"). */
  readonly reason?: string;
  readonly kind?: 'silenced' | 'inhibited';
}

/** Alertmanager's Muter, both stages: inhibition first, then silences; per alert, not per group. */
export function muteAlerts(alerts: readonly IncidentAlert[], firing: readonly IncidentAlert[], silences: SilenceStore, inhibitor: Inhibitor): MuteResult {
  const notify: IncidentAlert[] = [];
  let reason: string | undefined;
  let kind: MuteResult['kind'];
  for (const a of alerts) {
    const inhibited = inhibitor.inhibitedBy(a, firing);
    const silence = inhibited ? undefined : silences.mutedBy(a.labels);
    if (!inhibited && !silence) {
      notify.push(a);
      continue;
    }
    if (reason === undefined) {
      reason = inhibited ?? `silenced by ${silence?.createdBy} (silence ${silence?.id}: ${silence?.comment})`;
      kind = inhibited ? 'inhibited' : 'silenced';
    }
  }
  return { notify, reason, kind };
}
