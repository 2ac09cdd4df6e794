import { createReadStream } from 'node:fs';
import { crc32c } from '@node-rs/crc32';

/** CRC32C (spec §8.1) of a file, streamed. */
export async function crc32cOfFile(path: string): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(path)) crc = crc32c(chunk as Buffer, crc);
  return crc;
}
