/**
 * The drill cannot start as asked (nothing to inject faults into, a scenario's component missing,
 * another Warden already watching the exchange): `warden drill` says why and exits 2, before any
 * fault is injected.
 */
export class DrillSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillSetupError';
  }
}
