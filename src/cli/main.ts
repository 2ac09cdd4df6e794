import { Command, CommanderError } from 'commander';
import { registerStartCommand } from './start-command';
import { registerSchemaCommand } from './schema-command';
import { registerRulesCommands } from './rules-command';
import { registerAuditCommands } from './audit-command';
import { registerSimCommands } from '../sim/sim-commands';
import { registerDrillCommand } from './drill-command';

/** Builds the `warden` command tree; each stage registers its own subcommands. */
export function buildProgram(): Command {
  const program = new Command('warden')
    .description('Warden: Green/Yellow/Red health, safe automatic remediation and paging for the exchange')
    .showHelpAfterError()
    .exitOverride();
  registerStartCommand(program);
  registerSchemaCommand(program);
  registerRulesCommands(program);
  registerAuditCommands(program);
  registerSimCommands(program);
  registerDrillCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}
