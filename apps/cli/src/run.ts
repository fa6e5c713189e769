import { describeStartFailure, openSidekey, readConfig, type Sidekey } from '@sidekey/core';
import { commands } from './commands/index.ts';

export interface CliIo {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * `sidekey <command> [args]`, configured by the same environment as the server; returns
 * the exit code. Separate from main.ts so tests run commands in-process.
 */
export async function runCli(argv: string[], io: CliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    out('Usage: sidekey <command>\n');
    for (const [, c] of Object.entries(commands)) out(`  ${c.usage.padEnd(36)} ${c.summary}`);
    return name && name !== 'help' ? 2 : 0;
  }
  let sidekey: Sidekey;
  try {
    const config = readConfig(io.env ?? process.env);
    if (command.withoutSidekey) {
      try {
        return await command.withoutSidekey(config, args, out);
      } catch (error) {
        if ((error as Error).name === 'DataDirLockedError') throw error;
        err(`sidekey ${name}: ${(error as Error).message}`);
        return 1;
      }
    }
    sidekey = await openSidekey(config, { holder: `sidekey ${name}` });
  } catch (error) {
    err(`sidekey ${name}: ${describeStartFailure(error)}`);
    return 1;
  }
  try {
    await command.run(sidekey, args, out);
    return 0;
  } catch (error) {
    err(`sidekey ${name}: ${(error as Error).message}`);
    return 1;
  } finally {
    await sidekey.close();
  }
}
