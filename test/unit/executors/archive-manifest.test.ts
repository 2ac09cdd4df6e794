import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermanentError } from '../../../src/errors';
import { appendManifest, readManifest, type ManifestEntry } from '../../../src/remediate/executors/archive-logs/archive-manifest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warden-manifest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (file: string): ManifestEntry => ({ file, size: 10, crc32c: 123, mtimeMs: 1, archive: `${file}.gz`, time: '2026-12-02T00:00:00.000Z' });
const line = (file: string) => `${JSON.stringify(entry(file))}\n`;
const manifest = () => join(dir, 'manifest.jsonl');

describe('archive manifest', () => {
  test('a torn last line (a crash mid-append) is ignored: that file is archived again', async () => {
    writeFileSync(manifest(), line('/logs/a.log') + line('/logs/b.log') + '{"file":"/logs/c.lo');
    expect([...(await readManifest(dir)).keys()]).toEqual(['/logs/a.log', '/logs/b.log']);
  });

  test('a corrupt line in the middle is an error naming the file and line, not skipped', async () => {
    writeFileSync(manifest(), line('/logs/a.log') + 'garbage{\n' + line('/logs/b.log'));
    const read = readManifest(dir);
    await expect(read).rejects.toBeInstanceOf(PermanentError);
    await expect(readManifest(dir)).rejects.toThrow(`${manifest()}:2: corrupt manifest line`);
  });

  test('a line that is JSON but not an entry is corrupt too', async () => {
    writeFileSync(manifest(), line('/logs/a.log') + '{"hello":1}\n');
    await expect(readManifest(dir)).rejects.toThrow(`${manifest()}:2: corrupt manifest line`);
  });

  test('the next append cuts a torn last line off, so it never ends up in the middle', async () => {
    writeFileSync(manifest(), line('/logs/a.log') + '{"file":"/logs/c.lo');
    await appendManifest(dir, entry('/logs/c.log'));
    expect(readFileSync(manifest(), 'utf8')).toBe(line('/logs/a.log') + line('/logs/c.log'));
    expect([...(await readManifest(dir)).keys()]).toEqual(['/logs/a.log', '/logs/c.log']);
  });

  test('a whole entry missing only its newline is kept, and the next append starts a new line', async () => {
    writeFileSync(manifest(), line('/logs/a.log').trimEnd());
    expect([...(await readManifest(dir)).keys()]).toEqual(['/logs/a.log']);
    await appendManifest(dir, entry('/logs/b.log'));
    appendFileSync(manifest(), '');
    expect(readFileSync(manifest(), 'utf8')).toBe(line('/logs/a.log') + line('/logs/b.log'));
  });
});
