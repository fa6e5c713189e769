import { openSidekey } from '@sidekey/core';
import { commands } from './commands/index.ts';

/** `sidekey <command> [args]`, configured by the same environment as the server. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const command = name ? commands[name] : undefined;
  if (!command) {
    out('Usage: sidekey <command>\n');
    for (const [, c] of Object.entries(commands)) out(`  ${c.usage.padEnd(36)} ${c.summary}`);
    return name && name !== 'help' ? 2 : 0;
  }
  const sidekey = await openSidekey();
  try {
    await command.run(sidekey, args, out);
    return 0;
  } catch (error) {
    process.stderr.write(`sidekey ${name}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await sidekey.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
