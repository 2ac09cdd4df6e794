import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { crc32c } from '@node-rs/crc32';
import { PermanentError } from '../../../errors';

/** Passes bytes through while folding them into a CRC32C (spec §8.1) and counting them. */
class Crc32cTap extends Transform {
  crc = 0;
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.crc = crc32c(chunk, this.crc);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface ArchivedFile {
  archivePath: string;
  size: number;
  crc32c: number;
  archiveBytes: number;
}

export interface ArchiveHooks {
  /** Test-only: runs after the archive is written and before it is verified (to corrupt it). */
  afterArchiveWritten?: (partialPath: string) => Promise<void>;
}

async function crcOfGunzipped(path: string, signal: AbortSignal): Promise<{ crc: number; bytes: number }> {
  const tap = new Crc32cTap();
  await pipeline(createReadStream(path), createGunzip(), tap, async function* drain(source: AsyncIterable<Buffer>) {
    for await (const chunk of source) void chunk;
  }, { signal });
  return { crc: tap.crc, bytes: tap.bytes };
}

/**
 * Streams `source` through gzip into `<archivePath>.partial`, fsyncs it, decompresses it again and
 * compares CRC32C and length with the original (spec §8.1), and only then renames it into place
 * and fsyncs the directory. A mismatch removes the partial archive and throws; the original is
 * never touched here.
 */
export async function archiveFile(source: string, archivePath: string, archiveDir: string, signal: AbortSignal, hooks: ArchiveHooks = {}): Promise<ArchivedFile> {
  const partial = `${archivePath}.partial`;
  const original = new Crc32cTap();
  try {
    await pipeline(createReadStream(source), original, createGzip(), createWriteStream(partial, { mode: 0o640 }), { signal });
    await fsyncPath(partial);
    await hooks.afterArchiveWritten?.(partial);
    const check = await crcOfGunzipped(partial, signal).catch((err: unknown) => {
      throw new PermanentError(`archive of ${source} does not decompress: ${(err as Error).message}`, { cause: err });
    });
    if (check.crc !== original.crc || check.bytes !== original.bytes) {
      throw new PermanentError(`archive of ${source} failed verification: crc32c ${check.crc.toString(16)} (${check.bytes} B) != original ${original.crc.toString(16)} (${original.bytes} B)`);
    }
    const { size: archiveBytes } = await stat(partial);
    await rename(partial, archivePath);
    await fsyncPath(archiveDir);
    return { archivePath, size: original.bytes, crc32c: original.crc, archiveBytes };
  } catch (err) {
    await rm(partial, { force: true }).catch(() => undefined /* best effort; the error below is what matters */);
    throw err;
  }
}
