import { z } from 'zod';
import { parseBytes, parseDurationMs } from '../../../config/duration';

export const archiveLogsParamsSchema = z.strictObject({
  /** Which configured log directories to work in (by path); all configured ones when absent. */
  dirs: z.array(z.string().min(1)).min(1).optional(),
  /** File-name glob (`*` and `?`), matched against names in the directory, not paths. */
  pattern: z.string().min(1).default('*.log'),
  /**
   * Stop once fs.statfs says the volume is at most this full (spec §11.2 "Disk full"). Note that
   * this only falls if the archive directory is on another volume, or compression frees enough.
   */
  target_used_ratio: z.number().gt(0).lt(1).optional(),
  /**
   * Alternative target: stop once the matching files left in the directory total at most this
   * many bytes ("10MiB" or a number). When both targets are given, both must hold. Tests use
   * this to force "above target" without filling a disk.
   */
  max_bytes: z.union([z.number().int().min(0), z.string()]).refine((v) => parseBytes(v) !== undefined, 'must be a byte count such as "10MiB"').optional(),
  /** Never archive a file modified more recently than this. */
  min_age: z.string().refine((s) => parseDurationMs(s) !== undefined, 'must be a duration such as "10m"').default('10m'),
  /**
   * A regex whose first capture group names a file's stream; default: the name up to its first
   * '.' (`matching.3.log` -> `matching`). The newest file of each stream is never touched: it may
   * still be open for writing.
   */
  stream_regex: z.string().refine(isRegexWithGroup, 'must be a valid regex with one capture group').optional(),
  /** Safety cap per run. */
  max_files: z.number().int().min(1).default(1000),
});

function isRegexWithGroup(s: string): boolean {
  try {
    return new RegExp(`${s}|`).exec('')!.length >= 2;
  } catch {
    return false; // an invalid pattern is exactly what the refinement reports
  }
}

export type ArchiveLogsParams = z.output<typeof archiveLogsParamsSchema>;

/** Defaults the disk target when no target is given: spec §11.2 alerting at 90 %, archive to 80 %. */
export const DEFAULT_TARGET_USED_RATIO = 0.8;

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
