import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer, connect } from 'node:net';

/** A free loopback port, for servers (nginx, Dovecot) that cannot be told to pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once something accepts connections on the port (the server is up); fails at once
 * if the server's process has already ended (a missing binary, a bad config).
 */
export async function waitForPort(
  port: number,
  what: string,
  output: () => string,
  server?: RunningProcess,
) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (
      server &&
      (server.process.exitCode !== null || server.process.signalCode !== null || server.failed())
    ) {
      throw new Error(`${what} stopped before listening on ${port}:\n${output()}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RunningProcess {
  process: ChildProcess;
  output(): string;
  /** True when the process could not be started at all (e.g. ENOENT). */
  failed(): boolean;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** A foreground server process whose output is kept for failure messages. */
export function startProcess(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): RunningProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let failed = false;
  child.on('error', (error) => {
    failed = true;
    output += `\n${error.message}`;
  });
  return {
    process: child,
    output: () => output,
    failed: () => failed,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
