import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { journalFileName } from '../../../src/runtime/journal-files';
import { OutboxJournal } from '../../../src/runtime/outbox-journal';
import { silentLogger } from '../../../src/telemetry/logger';

/** The outbox journal on real files, with real processes as the writers of other journals. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (maxBytes = 1 << 20) => OutboxJournal.open({ dir, maxBytes, log: silentLogger(), registry: new Registry() });
const startTicks = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);

/** A journal file as a process that died left it: a header, records, done marks, maybe a torn last line. */
function deadJournal(name: string, lines: string[]): void {
  writeFileSync(join(dir, name), [JSON.stringify({ journal: 1 }), ...lines].join('\n') + '\n');
}

it('keeps a record until it is done, and cuts the file back to its header once nothing waits', async () => {
  const j = open();
  const header = statSync(j.path).size;
  const a = j.append('health', 'health events', { events: [['e1', '{}']] })!;
  const b = j.append('incidents', 'incident transitions', { t: {}, atMs: 1 })!;
  expect(j.pending).toBe(2);
  await j.synced();
  expect(statSync(j.path).size).toBeGreaterThan(header);
  j.done(a);
  expect(readFileSync(j.path, 'utf8')).toContain(`{"d":${a}}`);
  j.done(b);
  expect(j.pending).toBe(0);
  expect(statSync(j.path).size).toBe(header);
  await j.close();
  expect(existsSync(j.path)).toBe(false);
});

it('a file of a process that no longer runs is claimed: its pending records go to their outboxes in order, torn and done lines skipped, then it is deleted', async () => {
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.once('exit', r));
  const name = journalFileName({ pid: dead.pid!, startTicks: 12345 });
  deadJournal(name, [
    '{"i":1,"o":"health","k":"health events","r":{"n":1}}',
    '{"i":2,"o":"audit","k":"audit entry","r":{"n":2}}',
    '{"i":3,"o":"health","k":"health snapshot","r":{"n":3}}',
    '{"d":2}',
    '{"i":4,"o":"health","k":"health snapshot","r":{"n":4}}',
    '{"i":5,"o":"remediation","k":"remedi', // cut short by the crash
  ]);
  const j = open();
  expect(existsSync(join(dir, name))).toBe(false); // renamed: no other Warden can take it too
  expect(j.takeOrphans('health').map((r) => r.data)).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
  expect(j.takeOrphans('audit')).toEqual([]);
  expect(j.takeOrphans('health')).toEqual([]); // handed out once
  await j.releaseOrphans();
  expect(readdirSync(dir)).toEqual([journalFileName({ pid: process.pid, startTicks: startTicks(process.pid) })]);
  await j.close();
});

it("leaves alone the file of a Warden that still runs (same pid and start time), but takes one whose pid was reused", async () => {
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    await new Promise((r) => live.once('spawn', r));
    const liveName = journalFileName({ pid: live.pid!, startTicks: startTicks(live.pid!) });
    const reusedName = journalFileName({ pid: live.pid!, startTicks: startTicks(live.pid!) - 1 });
    deadJournal(liveName, ['{"i":1,"o":"health","k":"health events","r":{"live":true}}']);
    deadJournal(reusedName, ['{"i":1,"o":"health","k":"health events","r":{"reused":true}}']);
    const j = open();
    expect(j.takeOrphans('health').map((r) => r.data)).toEqual([{ reused: true }]);
    await j.releaseOrphans();
    expect(existsSync(join(dir, liveName))).toBe(true);
    await j.close();
  } finally {
    live.kill('SIGKILL');
  }
});

it('stops taking records at max_bytes (counted, the writes stay memory-only) and takes them again once emptied', async () => {
  const registry = new Registry();
  const j = OutboxJournal.open({ dir, maxBytes: 400, log: silentLogger(), registry });
  const big = { pad: 'x'.repeat(150) };
  const ids = [j.append('health', 'k', big), j.append('health', 'k', big), j.append('health', 'k', big)];
  expect(ids.filter((id) => id !== undefined)).toHaveLength(1);
  expect((await registry.getSingleMetricAsString('warden_journal_full_total'))).toMatch(/warden_journal_full_total 2/);
  j.done(ids[0]!);
  expect(j.append('health', 'k', big)).toBeDefined();
  await j.close();
  // Still waiting at shutdown: the file stays for the next start.
  expect(existsSync(j.path)).toBe(true);
});

it('a record written just before a kill -9 is in the file at once (one write(2), no buffering)', async () => {
  const j = open();
  j.append('incidents', 'incident transitions', { t: { alert: { name: 'A' } }, atMs: 7 });
  // Read back without waiting for any sync or timer: what a killed process leaves is what is there now.
  expect(readFileSync(j.path, 'utf8').split('\n')[1]).toBe('{"i":1,"o":"incidents","k":"incident transitions","r":{"t":{"alert":{"name":"A"}},"atMs":7}}');
  await j.close();
});
