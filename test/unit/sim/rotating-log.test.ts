import { mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingLog } from '../../../src/sim/rotating-log';

describe('rotating component logs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sim-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates by size into <component>.<n>.log and counts the bytes on disk', () => {
    const log = new RotatingLog({ dir, component: 'settlement', maxFileBytes: 1000 });
    for (let i = 0; i < 30; i++) log.write(`${'x'.repeat(99)}\n`);
    log.close();
    expect(readdirSync(dir).sort()).toEqual(['settlement.1.log', 'settlement.2.log', 'settlement.3.log']);
    expect(log.totalBytes()).toBe(3000);
  });

  it('an archived (removed) file no longer counts', () => {
    const log = new RotatingLog({ dir, component: 'reporting', maxFileBytes: 100 });
    log.write('a'.repeat(150));
    log.write('b'.repeat(10));
    unlinkSync(join(dir, 'reporting.1.log'));
    expect(log.totalBytes()).toBe(10);
    log.close();
  });

  it('a restarted component continues after the highest file, never overwriting one', () => {
    new RotatingLog({ dir, component: 'database', maxFileBytes: 100 }).line('info', 'first life');
    const second = new RotatingLog({ dir, component: 'database', maxFileBytes: 100 });
    expect(second.currentPath()).toBe(join(dir, 'database.2.log'));
    second.close();
  });

  it('ignores other components and other files', () => {
    const a = new RotatingLog({ dir, component: 'market-data', maxFileBytes: 100 });
    const b = new RotatingLog({ dir, component: 'market', maxFileBytes: 100 });
    a.write('12345');
    b.write('1');
    expect(b.totalBytes()).toBe(1);
    a.close();
    b.close();
  });
});
