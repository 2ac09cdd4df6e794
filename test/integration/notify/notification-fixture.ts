import type { Notification } from '../../../src/notify/notifier';

/** A P0 incident notification as the incidents stage would hand it over. */
export function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    key: 'inc-1:trigger:pagerduty',
    incidentId: 'inc-1',
    fingerprint: 'fp-4f2a9c0d1e',
    transition: 'trigger',
    severity: 'P0',
    summary: 'Matching engine down',
    status: 'triggered',
    labels: { alertname: 'MatchingEngineDown', component: 'matching-engine', severity: 'P0', instance: 'me-1:9100' },
    annotations: { runbook: 'https://runbooks.example/me-down' },
    alerts: [{ name: 'MatchingEngineDown', labels: { component: 'matching-engine' }, state: 'firing', activeAtMs: 1_700_000_000_000 }],
    startedAtMs: 1_700_000_000_000,
    receiver: 'oncall',
    ...overrides,
  };
}

export const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefABCDEF'; // 32 characters, like a real integration key
