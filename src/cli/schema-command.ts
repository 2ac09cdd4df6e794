import type { Command } from 'commander';
import { configJsonSchema } from '../config/schema';

/** `warden schema`: the JSON Schema of warden.yaml, for editors (yaml-language-server). */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of warden.yaml')
    .action(() => {
      process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
    });
}
