import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Warden's version, from the nearest package.json above this file: the same code runs from dist/,
 * from dist-bench/src/ (the benchmarks' build) and from src/ under ts-jest, at different depths.
 */
export const WARDEN_VERSION: string = versionAbove(__dirname);

function versionAbove(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
