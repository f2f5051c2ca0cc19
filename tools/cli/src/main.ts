import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { CliCommand } from './command';

function listCommands(): string[] {
  return readdirSync(path.join(__dirname, 'commands'))
    .filter((f) => f.endsWith('.js') && !f.endsWith('.spec.js'))
    .map((f) => f.replace(/\.js$/, ''))
    .sort();
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const commands = listCommands();
  if (!name || name === 'help' || name === '--help') {
    const lines = commands.map(
      (c) => `  ${c.padEnd(14)} ${(require(`./commands/${c}`).command as CliCommand).summary}`,
    );
    process.stdout.write(`usage: sextant <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
    return 0;
  }
  if (!commands.includes(name)) {
    process.stderr.write(`sextant: unknown command '${name}' (try 'sextant help')\n`);
    return 2;
  }
  const command = require(`./commands/${name}`).command as CliCommand;
  if (rest.includes('--help')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sextant: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
