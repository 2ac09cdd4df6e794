import { hasReplication } from './components';
import type { Fault } from './fault';

/**
 * Which lag gauge a lag fault moves. Apart from fault.ts (and its zod schema) so a component
 * process, which only applies faults the supervisor already validated, starts without loading zod:
 * a simulated restart is then a process start, not a schema library's load (issue 14 §2).
 */
export function lagMetric(fault: Extract<Fault, { kind: 'lag' }>): 'replication' | 'processing' {
  return fault.metric ?? (hasReplication(fault.component) ? 'replication' : 'processing');
}
