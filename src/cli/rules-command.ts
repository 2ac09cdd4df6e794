import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { errorMessage } from '../errors';
import { checkRemediationParams } from '../remediate/executors/check-remediation-params';
import { parseRuleFile } from '../rules/load-rules';
import { ruleErrorsOf } from '../rules/rule-file-errors';
import { runRuleTestFile } from '../rules/testing/rule-test-runner';
// Register `exp_health` and `exp_remediations` with the rule tester (issue 4 §1).
import '../health/exp-health';
import '../remediate/exp-remediations';

/** Where the commands write; the process streams by default, buffers in tests. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const processOutput: CommandOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** `warden rules check FILE...`: 0 when every file loads, else 1 with `file:line:col: message` lines. */
export async function checkRuleFiles(files: readonly string[], output: CommandOutput = processOutput): Promise<number> {
  let failed = false;
  for (const file of files) {
    try {
      const rf = parseRuleFile(file, await readFile(resolve(file), 'utf8'));
      checkRemediationParams(rf.remediations);
      const rules = rf.groups.reduce((n, g) => n + g.rules.length, 0);
      output.out(`${file}: ${rf.groups.length} groups, ${rules} rules, ${rf.remediations.length} remediations`);
    } catch (err) {
      failed = true;
      const errors = ruleErrorsOf(err);
      if (errors.length === 0) output.err(`${file}: ${errorMessage(err)}`);
      for (const e of errors) output.err(e.message);
    }
  }
  return failed ? 1 : 0;
}

/** `warden rules test FILE...`: promtool-style output, 0 when every test passes. */
export async function testRuleFiles(files: readonly string[], output: CommandOutput = processOutput): Promise<number> {
  let failed = false;
  for (const file of files) {
    output.out(`Unit Testing:  ${file}`);
    const result = await runRuleTestFile(file);
    if (result.ok) {
      output.out('  SUCCESS');
      continue;
    }
    failed = true;
    output.out('  FAILED:');
    for (const e of result.errors) output.out(`    ${e}`);
    for (const f of result.failures) output.out(f);
  }
  return failed ? 1 : 0;
}

export interface RulesCommandIo {
  output?: CommandOutput;
  /** Receives the exit code (default: sets process.exitCode; tests capture it instead). */
  setExitCode?: (code: number) => void;
}

/** Adds `rules check` and `rules test` to the `warden` program. */
export function registerRulesCommands(program: Command, io: RulesCommandIo = {}): void {
  const output = io.output ?? processOutput;
  const setExitCode = io.setExitCode ?? ((code: number) => void (process.exitCode = code));
  const rules = program.command('rules').description('Check and unit-test alerting rule files (Prometheus format)');
  rules
    .command('check')
    .description('Validate rule files: syntax, supported PromQL, labels, remediations')
    .argument('<files...>', 'rule files')
    .action(async (files: string[]) => {
      setExitCode(await checkRuleFiles(files, output));
    });
  rules
    .command('test')
    .description("Run promtool-format unit tests (input_series, alert_rule_test) plus Warden's exp_health")
    .argument('<files...>', 'test files')
    .action(async (files: string[]) => {
      setExitCode(await testRuleFiles(files, output));
    });
}
