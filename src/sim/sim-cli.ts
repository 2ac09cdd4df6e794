import { Command, CommanderError } from 'commander';
import { errorMessage } from '../errors';
import { registerSimCommands } from './sim-commands';

/**
 * `node dist/sim/sim-cli.js <start|fault|clear|status|restart> ...`: the `warden sim` commands
 * without loading the rest of Warden. The simulator container runs this, and it is a short argv
 * for the command restart driver: ["node", "dist/sim/sim-cli.js", "restart", "settlement"].
 */
export async function simMain(argv: string[]): Promise<void> {
  const program = new Command('warden').exitOverride();
  registerSimCommands(program);
  try {
    await program.parseAsync([...argv.slice(0, 2), 'sim', ...argv.slice(2)]);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
}

if (require.main === module) {
  simMain(process.argv).catch((err) => {
    process.stderr.write(`warden sim: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
