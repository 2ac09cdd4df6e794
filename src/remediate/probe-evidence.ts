import type { SignalStore } from '../signals/signal-store';

/** What Warden's own probes say of a component, for a decision that must not rest on one signal. */
export interface ProbeVerdict {
  readonly down: boolean;
  readonly detail: string;
}

export type ProbeEvidence = (component: string) => ProbeVerdict;

/**
 * The "N failed probes" half of spec §5's fencing for failover_database: component_up 0 means
 * `failure_threshold` consecutive failed probes (probe-confirmation.ts), and the latest probe_success
 * must be 0 too and recent (`maxAgeMs` per component: a verdict from before a probe outage proves
 * nothing about now). Reads what the probes wrote into the signal store; no I/O.
 */
export function probeEvidence(store: SignalStore, clock: () => number, maxAgeMs: (component: string) => number): ProbeEvidence {
  return (component) => {
    const up = store.metric('component_up')?.index.get({ component });
    const success = store.metric('probe_success')?.index.get({ component });
    if (!up || !success) return { down: false, detail: `${component} has no probe result yet` };
    const ageMs = clock() - success.lastTimestampMs;
    const limit = maxAgeMs(component);
    if (ageMs > limit) return { down: false, detail: `${component}'s latest probe is ${ageMs} ms old (more than ${limit} ms): not current evidence` };
    if (up.lastValue !== 0) return { down: false, detail: `${component} is up by its probes (component_up ${up.lastValue})` };
    if (success.lastValue !== 0) return { down: false, detail: `${component}'s latest probe succeeded` };
    return { down: true, detail: `${component}: component_up 0 (consecutive failed probes up to failure_threshold) and its latest probe, ${ageMs} ms ago, failed` };
  };
}
