import { PeriodicTask } from '../../../src/ingest/periodic-task';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('periodic task', () => {
  it('runs at start and never runs twice at once, even when a run outlasts the interval', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const task = new PeriodicTask({
      intervalMs: 5,
      clock: Date.now,
      onError: (err) => { throw err; },
      run: async () => {
        runs++;
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(30);
        running--;
      },
    });
    task.start();
    task.start(); // a second start changes nothing
    await until(() => runs >= 4, 'four runs');
    await task.stop();
    expect(maxRunning).toBe(1);
  });

  it('reports a run that throws and keeps its schedule', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const task = new PeriodicTask({
      intervalMs: 5,
      clock: Date.now,
      onError: (err) => errors.push(err),
      run: async () => {
        runs++;
        throw new Error('bug');
      },
    });
    task.start();
    await until(() => runs >= 3, 'three runs');
    await task.stop();
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('aborts the in-flight run on stop, waits for it, and does not run again', async () => {
    let runs = 0;
    let sawAbort = false;
    const task = new PeriodicTask({
      intervalMs: 1,
      clock: Date.now,
      onError: (err) => { throw err; },
      run: (signal) => {
        runs++;
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => { sawAbort = true; resolve(); }));
      },
    });
    task.start();
    await until(() => runs === 1, 'the first run');
    await task.stop();
    expect(sawAbort).toBe(true);
    await sleep(20);
    expect(runs).toBe(1);
  });

  it('never starts after stop', async () => {
    let runs = 0;
    const task = new PeriodicTask({ intervalMs: 1, clock: Date.now, onError: () => undefined, run: async () => void runs++ });
    await task.stop();
    task.start();
    await sleep(20);
    expect(runs).toBe(0);
  });
});
