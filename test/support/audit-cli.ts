import { Command } from 'commander';
import { registerAuditCommands } from '../../src/cli/audit-command';

/** Runs `warden audit <args>` in-process against one Redis and prefix; returns exit code and output. */
export async function runAuditCli(redisUrl: string, prefix: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('warden').exitOverride();
  registerAuditCommands(program);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'warden', 'audit', ...args, '--redis-url', redisUrl, '--prefix', prefix]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout, stderr };
}
