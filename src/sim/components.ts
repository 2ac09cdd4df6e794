/**
 * The simulated exchange: one child process per component (issue 6 §1). `database` stands for the
 * primary and its replica together: it is the one that reports replication_lag_seconds.
 */
export const SIM_COMPONENTS = [
  'matching-engine',
  'settlement',
  'database',
  'market-data',
  'order-gateway',
  'reporting',
] as const;

export type SimComponentName = (typeof SIM_COMPONENTS)[number];

export function isSimComponent(name: string): name is SimComponentName {
  return (SIM_COMPONENTS as readonly string[]).includes(name);
}

/** Only the database has a replica, so only it has replication lag (spec §11.1). */
export function hasReplication(name: SimComponentName): boolean {
  return name === 'database';
}

/** Critical components per issue 3 §2: their Red is the exchange's Red. */
export function isCritical(name: SimComponentName): boolean {
  return name === 'matching-engine' || name === 'settlement' || name === 'database';
}

/** base = supervisor control API, base+1 = exchange admin, base+2.. = components in list order. */
export interface PortLayout {
  readonly controlPort: number;
  readonly exchangeAdminPort: number;
  readonly componentPorts: ReadonlyMap<SimComponentName, number>;
}

export function portLayout(basePort: number): PortLayout {
  const componentPorts = new Map<SimComponentName, number>();
  SIM_COMPONENTS.forEach((name, i) => componentPorts.set(name, basePort + 2 + i));
  return { controlPort: basePort, exchangeAdminPort: basePort + 1, componentPorts };
}
