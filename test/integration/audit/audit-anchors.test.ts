import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AuditAnchorer, parseAnchorArg, parseAnchorLines, readAnchorLines, type AuditAnchor } from '../../../src/audit/audit-anchor';
import { sealChain, type AuditEntry } from '../../../src/audit/audit-entry';
import { formatHead } from '../../../src/audit/audit-keys';
import { ConfigError } from '../../../src/errors';
import { AuditLog } from '../../../src/audit/audit-log';
import { runAuditCli } from '../../support/audit-cli';
import { startRedis, type TestRedis } from '../../support/redis-server';
import { startHarness } from '../../support/warden-harness';

let redis: TestRedis;
const tmp = mkdtempSync(join(tmpdir(), 'warden-anchors-'));
let prefixSeq = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function seeded(n: number): Promise<{ audit: AuditLog; prefix: string }> {
  const prefix = `anchors${++prefixSeq}`;
  const audit = new AuditLog({ redis: redis.client(), prefix });
  for (let i = 1; i <= n; i++) await audit.append({ actor: 'warden', action: 'remediation.attempt', target: 'matching', details: { attempt: i } });
  return { audit, prefix };
}

/** What a forger with Redis access does: re-seal every entry after `fromSeq - 1`, so the chain still holds. */
async function rewriteFrom(prefix: string, fromSeq: number): Promise<void> {
  const c = redis.client();
  const key = `${prefix}:audit:log`;
  const all = (await c.lrange(key, 0, -1)).map((r) => JSON.parse(r) as AuditEntry);
  const before = all[fromSeq - 2]!;
  const forged = sealChain({ seq: before.seq, hash: before.hash }, all.slice(fromSeq - 1).map((e) => ({ time: e.time, actor: e.actor, action: e.action, target: 'nothing-happened', details: {} })));
  const multi = c.multi().ltrim(key, 0, fromSeq - 2);
  for (const e of forged) multi.rpush(key, JSON.stringify(e));
  await multi.set(`${prefix}:audit:head`, formatHead(forged.at(-1)!.seq, forged.at(-1)!.hash)).exec();
}

async function rollBackTo(prefix: string, seq: number): Promise<void> {
  const c = redis.client();
  const last = JSON.parse((await c.lindex(`${prefix}:audit:log`, seq - 1)) as string) as AuditEntry;
  await c.multi().ltrim(`${prefix}:audit:log`, 0, seq - 1).set(`${prefix}:audit:head`, formatHead(last.seq, last.hash)).exec();
}

describe('anchors catch what the hash chain alone cannot', () => {
  it('a history re-sealed from some entry to the head passes the chain check, and fails against a later anchor', async () => {
    const { audit, prefix } = await seeded(10);
    const early = (await audit.list({ sinceSeq: 4, limit: 1 }))[0]!;
    const head = (await audit.head())!;
    await rewriteFrom(prefix, 6);
    expect(await audit.verify()).toEqual({ ok: true, checked: 10 });
    expect(await audit.verify([{ seq: early.seq, hash: early.hash }])).toEqual({ ok: true, checked: 10 });
    expect(await audit.verify([head])).toEqual({ ok: false, checked: 9, firstBadSeq: 10, reason: 'hash differs from the anchor recorded outside Redis (history rewritten)' });
  });

  it('a log rolled back to before an anchor fails: the anchored entry is gone', async () => {
    const { audit, prefix } = await seeded(8);
    const head = (await audit.head())!;
    await rollBackTo(prefix, 5);
    expect(await audit.verify()).toEqual({ ok: true, checked: 5 });
    expect(await audit.verify([head])).toEqual({ ok: false, checked: 5, firstBadSeq: 6, reason: 'anchor at seq 8 is past the head (seq 5): entries were removed' });
  });
});

describe('AuditAnchorer', () => {
  it('records the head in the log and an fsynced file only when it moved; the records verify the chain', async () => {
    const { audit } = await seeded(3);
    const file = join(tmp, 'anchors.jsonl');
    const logLines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, cb) => (logLines.push(String(chunk)), cb()) }));
    const anchorer = new AuditAnchorer({ head: () => audit.head(), log, intervalMs: 3_600_000, file });
    await anchorer.anchorNow();
    await anchorer.anchorNow();
    await audit.append({ actor: 'alice', action: 'trading.resumed', target: 'exchange' });
    await anchorer.stop();
    const fileAnchors = parseAnchorLines(readFileSync(file, 'utf8'), file);
    expect(fileAnchors.map((a) => a.seq)).toEqual([3, 4]);
    const logged = parseAnchorLines(logLines.join(''), 'log');
    expect(logged).toEqual(fileAnchors);
    expect(await audit.verify(fileAnchors)).toEqual({ ok: true, checked: 4 });
  });

  it('a file it cannot write is a logged warning, retried next time, never a crash', async () => {
    const { audit } = await seeded(1);
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, cb) => (warnings.push(String(chunk)), cb()) }));
    const anchorer = new AuditAnchorer({ head: () => audit.head(), log, intervalMs: 3_600_000, file: join(tmp, 'no-such-dir', 'a.jsonl') });
    await expect(anchorer.anchorNow()).resolves.toBeUndefined();
    await expect(anchorer.stop()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(2);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ msg: 'audit anchor not recorded; will retry', err: expect.stringContaining('ENOENT') });
  });
});

describe('a running Warden with audit.anchor_file', () => {
  it('anchors while it runs and once more as it stops; the file verifies the chain', async () => {
    const h = await startHarness({ redis, config: 'redis: { prefix: wardenanchors }\naudit: { anchor_interval: 100ms, anchor_file: anchors.jsonl }\n' });
    const file = join(h.dir, 'anchors.jsonl');
    try {
      await h.warden.audit.append({ actor: 'alice', action: 'silence.create', target: 's1' });
      for (let i = 0; i < 100 && !readable(file); i++) await new Promise((r) => setTimeout(r, 50));
      expect(parseAnchorLines(readFileSync(file, 'utf8'), file).map((a) => a.seq)).toEqual([1]);
      await h.warden.audit.append({ actor: 'alice', action: 'silence.expire', target: 's1' });
      await h.warden.stop();
      const anchors = parseAnchorLines(readFileSync(file, 'utf8'), file);
      expect(anchors.map((a) => a.seq)).toEqual([1, 2]);
      expect(await new AuditLog({ redis: redis.client(), prefix: 'wardenanchors' }).verify(anchors)).toEqual({ ok: true, checked: 2 });
    } finally {
      await h.stop();
    }
  });
});

function readable(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').length > 0;
  } catch {
    return false;
  }
}

describe('anchor input', () => {
  const hash = 'ab'.repeat(32);

  it('parses seq:hash and JSON lines (anchor files and Warden log lines), skipping other log lines', () => {
    expect(parseAnchorArg(`7:${hash}`)).toEqual({ seq: 7, hash });
    const text = [`{"seq":1,"hash":"${hash}","at":"2026-11-25T00:00:00Z"}`, '{"level":30,"msg":"listening"}', '', `{"level":30,"auditAnchor":{"seq":2,"hash":"${hash}"},"msg":"audit chain head"}`].join('\n');
    expect(parseAnchorLines(text, 'a.jsonl')).toEqual([{ seq: 1, hash }, { seq: 2, hash }]);
  });

  it('skips and counts lines that are not JSON (a raw log), reads prefixed JSON lines, flags cut anchors', () => {
    const text = ['warden listening on http://127.0.0.1:9097', `{"seq":1,"hash":"${hash}"}`, `2026-12-02T06:00:00Z stdout F {"auditAnchor":{"seq":2,"hash":"${hash}"}}`, '{"level":30,"auditAnchor":{"seq":3,"ha', ''].join('\n');
    expect(readAnchorLines(text, 'warden.log')).toEqual({ anchors: [{ seq: 1, hash }, { seq: 2, hash }], skippedLines: [1, 4], skippedAnchorLines: [4] });
  });

  it.each([
    ['7', 'must be <seq>:<64 hex digits>'],
    [`0:${hash}`, 'anchor seq must be a whole number >= 1'],
    [`7:${hash.toUpperCase()}`, 'must be <seq>:<64 hex digits>'],
    [`7:${hash}0`, 'must be <seq>:<64 hex digits>'],
  ])('rejects --anchor %s', (arg, message) => {
    expect(() => parseAnchorArg(arg)).toThrow(message);
  });

  it.each([
    [`{"seq":"3","hash":"${hash}"}`, 'seq', 'a.jsonl:2: seq: anchor seq must be a whole number >= 1'],
    ['{"seq":3,"hash":"abc"}', 'hash', 'a.jsonl:2: hash: anchor hash must be 64 lower-case hex digits'],
  ])('rejects the line %s with a ConfigError naming file, line and field', (line, field, message) => {
    let thrown: unknown;
    try {
      parseAnchorLines(`{"seq":1,"hash":"${hash}"}\n${line}\n`, 'a.jsonl');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ file: 'a.jsonl', line: 2, field, message });
  });
});

describe('warden audit verify --anchor / --anchors', () => {
  const runCli = (prefix: string, args: string[]) => runAuditCli(redis.url, prefix, ['verify', ...args]);
  const arg = (a: AuditAnchor) => `${a.seq}:${a.hash}`;

  it('exit 0 when anchors match, 1 naming the seq once the history was rewritten', async () => {
    const { audit, prefix } = await seeded(6);
    const head = (await audit.head())!;
    const file = join(tmp, `cli-${prefix}.jsonl`);
    writeFileSync(file, `${JSON.stringify(head)}\n`);
    expect(await runCli(prefix, ['--anchor', arg(head), '--anchors', file])).toEqual({ code: 0, stdout: 'audit chain ok: 6 entries, 2 anchors match\n', stderr: '' });
    await rewriteFrom(prefix, 3);
    expect(await runCli(prefix, [])).toMatchObject({ code: 0 });
    expect(await runCli(prefix, ['--anchors', file])).toEqual({ code: 1, stdout: '', stderr: 'chain broken at seq 6: hash differs from the anchor recorded outside Redis (history rewritten)\n' });
  });

  it('exit 2 with the reason for a malformed anchor or a missing file, before touching Redis', async () => {
    const r1 = await runCli('unused', ['--anchor', '12']);
    expect(r1).toMatchObject({ code: 2, stdout: '' });
    expect(r1.stderr).toContain('anchor "12" must be <seq>:<64 hex digits>');
    writeFileSync(join(tmp, 'no-anchors.log'), 'warden listening\n{"level":30,"msg":"started"}\n');
    const r3 = await runCli('unused', ['--anchors', join(tmp, 'no-anchors.log')]);
    expect(r3).toMatchObject({ code: 2, stdout: '' });
    expect(r3.stderr).toContain(`${join(tmp, 'no-anchors.log')}: 1 non-JSON line(s) skipped (line 1)`);
    expect(r3.stderr).toContain('no audit anchors found');
    const r2 = await runCli('unused', ['--anchors', join(tmp, 'missing.jsonl')]);
    expect(r2).toMatchObject({ code: 2, stdout: '' });
    expect(r2.stderr).toContain('ENOENT');
  });
});
