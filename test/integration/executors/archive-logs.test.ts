import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { ArchiveLogsExecutor } from '../../../src/remediate/executors/archive-logs';
import { executionContext } from './helpers';

const NOW = Date.now();
const minutesAgo = (m: number) => new Date(NOW - m * 60_000);
let root: string;
let logs: string;
let archive: string;
let outside: string;

function writeLog(name: string, ageMinutes: number, bytes = 1000): string {
  const path = join(logs, name);
  writeFileSync(path, `${name}\n`.padEnd(bytes, 'x'));
  utimesSync(path, minutesAgo(ageMinutes), minutesAgo(ageMinutes));
  return path;
}

function manifestLines(): Array<{ file: string; size: number; crc32c: number; archive: string; time: string }> {
  const p = join(archive, 'manifest.jsonl');
  return existsSync(p) ? readFileSync(p, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

function executor(hooks?: ConstructorParameters<typeof ArchiveLogsExecutor>[0]['hooks']) {
  return new ArchiveLogsExecutor({ logDirs: [{ path: logs, archiveDir: archive }], clock: () => NOW, hooks });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'warden-archive-'));
  logs = join(root, 'logs');
  archive = join(root, 'archive');
  outside = join(root, 'outside');
  mkdirSync(logs);
  mkdirSync(outside);
  writeLog('matching.1.log', 120);
  writeLog('matching.2.log', 90);
  writeLog('matching.3.log', 60); // newest of "matching": may be open for writing
  writeLog('settlement.1.log', 100);
  writeLog('settlement.2.log', 30); // newest of "settlement"
  writeFileSync(join(outside, 'secret.log'), 'not yours');
  utimesSync(join(outside, 'secret.log'), minutesAgo(500), minutesAgo(500));
  symlinkSync(join(outside, 'secret.log'), join(logs, 'evil.0.log'));
  symlinkSync(join(outside, 'secret.log'), join(logs, 'evil.1.log'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('archive_logs on real files', () => {
  test('archives old files oldest first, verified and in the manifest, keeping the newest of each stream and never following symlinks', async () => {
    const originals = Object.fromEntries(['matching.1.log', 'matching.2.log', 'settlement.1.log'].map((n) => [n, readFileSync(join(logs, n))]));
    const r = await executor().execute('disk', { max_bytes: 0, min_age: '10m' }, executionContext());

    const dir = (r.details.dirs as Array<{ archived: Array<{ file: string; archive: string }>; skipped: Array<{ name: string; reason: string }>; targetReached: boolean }>)[0]!;
    expect(dir.archived.map((a) => a.file)).toEqual(['matching.1.log', 'settlement.1.log', 'matching.2.log']);
    expect(dir.targetReached).toBe(false);
    expect(dir.skipped).toEqual(expect.arrayContaining([
      { name: 'evil.0.log', reason: 'symlink (never followed)' },
      { name: 'matching.3.log', reason: 'newest file of its stream (may be open for writing)' },
      { name: 'settlement.2.log', reason: 'newest file of its stream (may be open for writing)' },
    ]));
    expect(readdirSync(logs).sort()).toEqual(['evil.0.log', 'evil.1.log', 'matching.3.log', 'settlement.2.log']);
    expect(readFileSync(join(outside, 'secret.log'), 'utf8')).toBe('not yours');

    const manifest = manifestLines();
    expect(manifest.map((m) => m.file)).toEqual(['matching.1.log', 'settlement.1.log', 'matching.2.log'].map((n) => join(logs, n)));
    for (const m of manifest) {
      const original = originals[m.file.split('/').at(-1)!]!;
      expect(gunzipSync(readFileSync(m.archive))).toEqual(original);
      expect(m).toMatchObject({ size: original.length, crc32c: crc32c(original) });
    }
    expect(readdirSync(archive).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  test('re-running is a no-op', async () => {
    await executor().execute('disk', { max_bytes: 0 }, executionContext());
    const before = readdirSync(archive).sort();
    const r = await executor().execute('disk', { max_bytes: 0 }, executionContext());
    expect(r.details).toMatchObject({ archivedFiles: 0 });
    expect(readdirSync(archive).sort()).toEqual(before);
    expect(manifestLines()).toHaveLength(3);
  });

  test('stops as soon as the files left fit the max_bytes budget', async () => {
    // 5 files of 1000 B: archiving the two oldest leaves 3000 <= 3500.
    const r = await executor().execute('disk', { max_bytes: '3500' }, executionContext());
    expect(r.details).toMatchObject({ archivedFiles: 2, targetReached: true });
    expect(manifestLines().map((m) => m.file.split('/').at(-1))).toEqual(['matching.1.log', 'settlement.1.log']);
  });

  test('a disk already below target_used_ratio is left alone', async () => {
    const r = await executor().execute('disk', { target_used_ratio: 0.999 }, executionContext());
    expect(r.details).toMatchObject({ archivedFiles: 0, targetReached: true });
    expect(readdirSync(logs)).toHaveLength(7);
  });

  test('files younger than min_age are not archived', async () => {
    const r = await executor().execute('disk', { max_bytes: 0, min_age: '95m' }, executionContext());
    expect(manifestLines().map((m) => m.file.split('/').at(-1))).toEqual(['matching.1.log', 'settlement.1.log']);
    expect(r.details).toMatchObject({ archivedFiles: 2 });
  });

  test('an archive that fails verification keeps the original, writes no manifest line and fails the job', async () => {
    const corrupt = async (partial: string) => writeFileSync(partial, gzipSync(Buffer.from('something else entirely')));
    await expect(executor({ afterArchiveWritten: corrupt }).execute('disk', { max_bytes: 0 }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/matching\.1\.log failed verification: crc32c/) });
    expect(existsSync(join(logs, 'matching.1.log'))).toBe(true);
    expect(manifestLines()).toEqual([]);
    expect(readdirSync(archive).filter((n) => n !== 'manifest.jsonl')).toEqual([]);

    const garbage = async (partial: string) => writeFileSync(partial, 'not gzip at all');
    await expect(executor({ afterArchiveWritten: garbage }).execute('disk', { max_bytes: 0 }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/does not decompress/) });
    expect(existsSync(join(logs, 'matching.1.log'))).toBe(true);
  });

  test('a crash between manifest line and delete is finished on the next run, without archiving twice', async () => {
    const content = readFileSync(join(logs, 'matching.1.log'));
    await executor().execute('disk', { max_bytes: '4500' }, executionContext()); // archives matching.1.log only
    expect(manifestLines()).toHaveLength(1);
    // Put the original back exactly as it was: the state a crash before unlink() leaves behind.
    writeFileSync(join(logs, 'matching.1.log'), content);
    utimesSync(join(logs, 'matching.1.log'), minutesAgo(120), minutesAgo(120));
    const r = await executor().execute('disk', { max_bytes: '4500' }, executionContext());
    expect((r.details.dirs as Array<{ finishedEarlier: string[] }>)[0]!.finishedEarlier).toEqual(['matching.1.log']);
    expect(existsSync(join(logs, 'matching.1.log'))).toBe(false);
    expect(manifestLines()).toHaveLength(1);
  });

  test('a stream regex groups files; unconfigured directories and bad params are refused permanently', async () => {
    const r = await executor().execute('disk', { max_bytes: 0, stream_regex: '^([a-z]+)\\.' }, executionContext());
    expect(r.details).toMatchObject({ archivedFiles: 3 });
    await expect(executor().execute('disk', { dirs: [outside] }, executionContext())).rejects.toMatchObject({ name: 'PermanentError', message: expect.stringMatching(/not a configured log directory/) });
    await expect(executor().execute('disk', { stream_regex: '(' }, executionContext())).rejects.toMatchObject({ name: 'PermanentError' });
    await expect(executor().execute('disk', { target_used_ratio: 1.5 }, executionContext())).rejects.toMatchObject({ name: 'PermanentError' });
  });
});
