import { summarizeRun, type DrillEvent } from '../../../src/drill/drill-record';
import { stats } from '../../../src/drill/drill-report';
import { DRILL_SCENARIOS, scenarioNamed, type DrillScenario } from '../../../src/drill/drill-scenarios';

const T0 = 1_700_000_000_000;
const crash = scenarioNamed('crash') as DrillScenario;
const leak = scenarioNamed('memory-leak') as DrillScenario;
const latency = scenarioNamed('latency') as DrillScenario;

const alert = (ms: number, name: string, to: string, health = 'red'): DrillEvent => ({ kind: 'alert', atMs: T0 + ms, alert: name, fingerprint: `fp-${name}`, component: 'settlement', health, to });
const overall = (ms: number, to: string): DrillEvent => ({ kind: 'health', atMs: T0 + ms, component: null, to });
const audit = (ms: number, action: string, details: Record<string, unknown> = {}): DrillEvent => ({ kind: 'audit', atMs: T0 + ms, action, target: 'settlement', details: { action: 'restart', rule: 'restart-down-service', ...details } });

/** A crash as Warden reports it on its bus: down, paged, restarted, up, Green. */
function crashEvents(): DrillEvent[] {
  return [
    { kind: 'fault', atMs: T0 },
    alert(900, 'CriticalComponentDown', 'firing'), overall(900, 'red'),
    audit(910, 'incident.trigger', { severity: 'P0', summary: 'Critical component settlement is down' }),
    audit(950, 'remediation.attempt'), audit(1150, 'remediation.success'),
    alert(1400, 'CriticalComponentDown', 'inactive'), overall(1400, 'green'),
    audit(2200, 'remediation.verified'),
  ];
}

describe('a drill run read from Warden\'s events', () => {
  it('a crash: time to detect is the first alert, time to recover is Green with nothing firing; within §13 and the issue 14 target', () => {
    const run = summarizeRun(crash, 1, 'settlement', crashEvents());
    expect(run).toMatchObject({ detectMs: 900, firstAlert: 'CriticalComponentDown', remediationStartedMs: 950, remediationVerifiedMs: 2200, greenMs: 1400, measuredMs: 1400, objectiveMs: 30_000, passed: true, targetMet: true, doneTwice: [] });
    expect(run.pages).toEqual([{ severity: 'P0', summary: 'Critical component settlement is down', atMs: 910 }]);
    expect(run.timeline.map((m) => m.what)).toEqual(['fault', 'alert', 'health', 'page', 'remediation_started', 'health', 'green', 'remediation_verified']);
  });

  it('a second restart or a second page for the one fault is "done twice", and a miss', () => {
    const events = [...crashEvents(), audit(2300, 'remediation.success'), audit(2400, 'incident.trigger', { severity: 'P0', summary: 'Critical component settlement is down' })];
    const run = summarizeRun(crash, 1, 'settlement', events);
    expect(run.doneTwice).toEqual(['restart settlement (restart-down-service) ×2', 'page P0 Critical component settlement is down ×2']);
    expect(run.passed).toBe(false);
  });

  it('Green after the RTO is a miss naming the objective', () => {
    const events = crashEvents().map((e) => (e.kind === 'health' && e.to === 'green' ? { ...e, atMs: T0 + 31_000 } : e));
    const run = summarizeRun(crash, 1, 'settlement', events);
    expect(run.passed).toBe(false);
    expect(run.reasons).toEqual(['Green again after 31.0 s, objective 30.0 s (§13 single service crash)']);
    expect(run.targetMet).toBe(false);
  });

  it('a memory leak repaired only after it took the service down is not the §11.2 case: MemoryLeak must fire', () => {
    const events: DrillEvent[] = [
      { kind: 'fault', atMs: T0 }, alert(13_000, 'CriticalComponentDown', 'firing'), overall(13_000, 'red'),
      audit(13_100, 'remediation.attempt'), audit(13_300, 'remediation.success'), alert(13_600, 'CriticalComponentDown', 'inactive'), overall(13_600, 'green'),
    ];
    const run = summarizeRun(leak, 1, 'settlement', events);
    expect(run.passed).toBe(false);
    expect(run.reasons).toEqual(['MemoryLeak never fired (CriticalComponentDown did): not the case this scenario drills']);
  });

  it('tolerated latency: a Red alert or any remediation is a miss; a quiet window passes', () => {
    expect(summarizeRun(latency, 1, 'order-gateway', [{ kind: 'fault', atMs: T0 }]).passed).toBe(true);
    const noisy = summarizeRun(latency, 1, 'order-gateway', [{ kind: 'fault', atMs: T0 }, alert(500, 'ComponentDown', 'firing', 'red'), audit(600, 'remediation.attempt')]);
    expect(noisy.reasons).toEqual(['a Red alert fired for a fault that should be tolerated', 'a remediation ran for a fault that should be tolerated']);
  });

  it('nothing fired at all: not detected', () => {
    expect(summarizeRun(crash, 1, 'settlement', [{ kind: 'fault', atMs: T0 }]).reasons).toEqual(['no alert fired: not detected', 'Green again never happened', 'no remediation started']);
  });
});

describe('drill figures', () => {
  it('p50 by nearest rank, max only when every run has the figure', () => {
    expect(stats([300, 100, 200])).toEqual({ p50: 200, max: 300 });
    expect(stats([100, 200, 300, 400])).toEqual({ p50: 200, max: 400 });
    expect(stats([100, null])).toEqual({ p50: 100, max: null });
    expect(stats([])).toEqual({ p50: null, max: null });
  });

  it('scenario names are unique (adding a scenario is one entry in DRILL_SCENARIOS)', () => {
    const names = DRILL_SCENARIOS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
