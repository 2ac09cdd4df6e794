import type { WardenEventMap } from '../../warden-events';
import { consoleAlertTransition } from './console-snapshot';

/** For each bus event the console sees: how it is shaped on the wire (the SSE event name is the key). */
export type StreamEventTable = { readonly [K in keyof WardenEventMap]?: (...args: WardenEventMap[K]) => unknown };

/**
 * The events /v1/stream forwards. Adding a kind (e.g. `incident`, `remediation`) is one line here
 * once it is in WardenEventMap; the console refreshes its incident / remediation sections on any
 * event whose name it does not draw itself.
 */
export const STREAM_EVENTS: StreamEventTable = {
  health: (t) => t,
  alert: (t) => consoleAlertTransition(t),
  'rules-loaded': (r) => r,
  // issue 14: `warden drill` times remediation steps and pages from these.
  audited: (e) => ({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, target: e.target, details: e.details }),
};
