import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startHarness, type WardenHarness } from '../../support/warden-harness';
import { auditEntries, finishedJob, pushEvery, stepsOf } from './remediation-e2e-support';

/**
 * spec §11.2 "Disk full: archive old logs", end to end on real files: an exporter pushes
 * disk_used_ratio computed from the log directory (capacity 128 KiB), the archive job gzips,
 * verifies and deletes the oldest files until 50 KiB are left, and the ratio falls below 0.9.
 */
jest.setTimeout(30_000);

const KiB = 1024;
const CAPACITY = 128 * KiB;

let root: string;
let logDir: string;
let archiveDir: string;
let h: WardenHarness;

function logBytes(): number {
  return readdirSync(logDir).filter((n) => n.endsWith('.log')).reduce((n, f) => n + statSync(join(logDir, f)).size, 0);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'warden-e2e-logs-'));
  logDir = join(root, 'logs');
  archiveDir = join(root, 'archive');
  mkdirSync(logDir);
  // Six 20 KiB files of one stream, an hour apart: app.1.log is the oldest, app.6.log the newest.
  const now = Date.now() / 1000;
  for (let i = 1; i <= 6; i++) {
    const file = join(logDir, `app.${i}.log`);
    writeFileSync(file, `${JSON.stringify({ msg: `line of file ${i}` })}\n`.repeat(20 * KiB / 27).padEnd(20 * KiB, '.'));
    utimesSync(file, now - (7 - i) * 3600, now - (7 - i) * 3600);
  }
  h = await startHarness({
    config: `
components: [{name: app}]
rules: [disk.rules.yaml]
evaluation_interval: 200ms
remediation:
  executors:
    log_dirs: [{path: "${logDir}", archive_dir: "${archiveDir}"}]
`,
    files: {
      'disk.rules.yaml': `
groups:
  - name: disk
    rules:
      - {alert: DiskFull, expr: disk_used_ratio >= 0.9, labels: {health: yellow, severity: P2}}
remediations:
  - name: archive-old-logs
    on: {alert: DiskFull}
    action: archive_logs
    target: "{{ $labels.component }}"
    params: {pattern: "*.log", max_bytes: 50KiB, min_age: 30m}
    cooldown: 15m
    verify: {expr: 'disk_used_ratio{component="{{ $labels.component }}"} < 0.9', within: 10s}
`,
    },
  });
});

afterAll(async () => {
  await h?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('disk full -> archive old logs (spec §11.2) on real files', () => {
  it('archives the oldest files first (gzip, verified, manifest) until under budget; the newest file is untouched; verified and audited', async () => {
    const originals = new Map(readdirSync(logDir).map((n) => [n, readFileSync(join(logDir, n))]));
    expect(logBytes() / CAPACITY).toBeGreaterThanOrEqual(0.9);
    const exporter = pushEvery(h, 200, async () => [{ name: 'disk_used_ratio', labels: { component: 'app' }, value: logBytes() / CAPACITY }]);
    try {
      const job = await finishedJob(h, 'archive-old-logs', 'app', 15_000);
      expect(job).toMatchObject({ state: 'completed', action: 'archive_logs', result: { outcome: 'verified' } });
      expect(readdirSync(logDir).sort()).toEqual(['app.5.log', 'app.6.log']);
      expect(readFileSync(join(logDir, 'app.6.log'))).toEqual(originals.get('app.6.log'));

      const manifest = readFileSync(join(archiveDir, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; archive: string; size: number });
      expect(manifest.map((m) => m.file)).toEqual([1, 2, 3, 4].map((i) => join(logDir, `app.${i}.log`))); // oldest first
      for (const m of manifest) {
        const name = m.file.slice(logDir.length + 1);
        expect(gunzipSync(readFileSync(m.archive))).toEqual(originals.get(name));
      }
      expect(job.result).toMatchObject({ outcome: 'verified', details: { archivedFiles: 4, targetReached: true } });

      const audit = await auditEntries(h);
      expect(stepsOf(audit, job.id)).toEqual(['matched', 'enqueued', 'attempt', 'success', 'verified']);
      expect(exporter.errors).toEqual([]);
    } finally {
      await exporter.stop();
    }
  });
});
