import type { ListedAlert } from '../../incidents/alert-listing';
import type { PushedAlert } from '../../ingest/alertmanager/pushed-alerts';

/**
 * Alertmanager API v2's gettableAlert (api/v2/openapi.yaml: every required field). An alert of
 * Warden's own rules has no endsAt of its own: like one posted without it, it ends resolve_timeout
 * from now unless its rule keeps it firing.
 */
export function gettableAlert(l: ListedAlert, pushed: PushedAlert | undefined, nowMs: number, resolveTimeoutMs: number) {
  const a = l.alert;
  const muted = l.silencedBy.length > 0 || l.inhibitedBy.length > 0;
  return {
    annotations: a.annotations,
    endsAt: new Date(pushed?.endsAtMs ?? nowMs + resolveTimeoutMs).toISOString(),
    fingerprint: a.fingerprint,
    receivers: l.receivers.map((name) => ({ name })),
    startsAt: new Date(pushed?.startsAtMs ?? a.activeAtMs).toISOString(),
    status: { inhibitedBy: l.inhibitedBy, silencedBy: l.silencedBy, state: muted ? 'suppressed' : 'active' },
    updatedAt: new Date(pushed?.updatedAtMs ?? a.firedAtMs ?? a.activeAtMs).toISOString(),
    ...(pushed?.generatorURL !== undefined ? { generatorURL: pushed.generatorURL } : {}),
    labels: a.labels,
  };
}
