import { createWriteStream, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { connectRedis } from '../runtime/redis-connection';
import { parseAnchorArg, readAnchorLines, type AuditAnchor } from '../audit/audit-anchor';
import { AuditLog } from '../audit/audit-log';
import { ConfigError, errorMessage } from '../errors';
import { resolveRedisTarget, type RedisTargetFlags } from './redis-target';

type AuditCliOptions = RedisTargetFlags;

/** Connects to the Redis resolveRedisTarget finds; a ConfigError (no Redis to be found) is exit 2. */
async function withAuditLog<T>(o: AuditCliOptions, fn: (audit: AuditLog) => Promise<T>): Promise<T | undefined> {
  let target;
  try {
    target = resolveRedisTarget(o, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`warden: ${err.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
  if (target.from !== '--redis-url') process.stderr.write(`reading ${target.url} (prefix ${target.prefix}) from ${target.from}\n`);
  const redis = connectRedis(target.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  await redis.connect();
  try {
    return await fn(new AuditLog({ redis, prefix: target.prefix }));
  } finally {
    redis.disconnect();
  }
}

/** The same way to name Redis as `warden start`: --config (redis.url, redis.prefix), REDIS_URL, or the embedded server. */
function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'configuration file: its redis.url and redis.prefix (default warden.yaml, if present)')
    .option('--redis-url <url>', 'Redis holding the audit log (default: REDIS_URL, redis.url, else the embedded redis-server of `warden start`)')
    .option('--prefix <prefix>', 'Warden key prefix (default: redis.prefix, else warden)')
    .option('--data-dir <dir>', 'the data dir of `warden start`\'s embedded redis-server (its address is in <dir>/url)', '.warden/redis');
}

type VerifyOptions = AuditCliOptions & { anchor: string[]; anchors?: string };

/** Exit 0 when the chain (and every anchor) holds, 1 naming the first bad seq, 2 for bad anchors. */
async function verify(o: VerifyOptions): Promise<void> {
  let anchors: AuditAnchor[];
  try {
    anchors = [...o.anchor.map(parseAnchorArg), ...(o.anchors ? anchorsFromFile(o.anchors) : [])];
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n`);
    process.exitCode = 2;
    return;
  }
  const r = await withAuditLog(o, (a) => a.verify(anchors));
  if (r === undefined) return;
  if (r.ok) {
    process.stdout.write(`audit chain ok: ${r.checked} entries${anchors.length ? `, ${anchors.length} anchors match` : ''}\n`);
    return;
  }
  process.stderr.write(`chain broken at seq ${r.firstBadSeq}: ${r.reason}\n`);
  process.exitCode = 1;
}

/**
 * The anchors of an anchor file or a raw Warden log. Lines that are not JSON are skipped and said
 * so on stderr; a file with no anchor at all is an error, since "ok" would then vouch for nothing
 * beyond the chain itself (fail fast).
 */
function anchorsFromFile(file: string): AuditAnchor[] {
  const r = readAnchorLines(readFileSync(file, 'utf8'), file);
  if (r.skippedLines.length > 0) {
    const shown = r.skippedLines.slice(0, 5).join(', ') + (r.skippedLines.length > 5 ? ', ...' : '');
    process.stderr.write(`${file}: ${r.skippedLines.length} non-JSON line(s) skipped (line ${shown})\n`);
  }
  if (r.skippedAnchorLines.length > 0) {
    process.stderr.write(`${file}: warning: ${r.skippedAnchorLines.length} skipped line(s) mention auditAnchor but are not JSON (line ${r.skippedAnchorLines.slice(0, 5).join(', ')}): cut short?\n`);
  }
  if (r.anchors.length === 0) throw new Error(`${file}: no audit anchors found (nothing to check the chain against)`);
  return r.anchors;
}

/** `warden audit verify` (exit 1 naming the first bad seq) and `warden audit export` (JSONL). */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('check and export the hash-chained audit log');
  withConnectionOptions(audit.command('verify').description('re-walk the hash chain; exit 1 at the first bad entry'))
    .option('--anchor <seq:hash>', 'a head recorded outside Redis (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--anchors <file>', 'anchors: the audit.anchor_file, or Warden\'s log as captured (lines that are not JSON are skipped and counted)')
    .action(verify);
  withConnectionOptions(audit.command('export').description('write every entry as JSON lines'))
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: AuditCliOptions & { out?: string }) => {
      const out = o.out ? createWriteStream(o.out) : process.stdout;
      const n = await withAuditLog(o, (a) => a.exportJsonl(out));
      if (n === undefined) return;
      if (o.out) {
        out.end();
        await finished(out);
      }
      process.stderr.write(`exported ${n} audit entries\n`);
    });
}
