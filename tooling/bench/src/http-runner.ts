import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import type { Row } from './report.ts';

/**
 * The one HTTP load runner every HTTP benchmark shares: the same client, connection count
 * and status check, so their rows can be compared with each other and with their ceilings.
 */
export const CONNECTIONS = 10;
const DURATION_SECONDS = 5;

export interface LoadOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  expectStatus: number;
  /** Headers for each request in turn (e.g. a different credential each time). */
  headersEach?: () => Record<string, string>;
  durationSeconds?: number;
}

/** Loads `url` and fails loudly unless every request answered the expected status. */
export async function load(name: string, url: string, options: LoadOptions): Promise<Row> {
  const each = options.headersEach;
  const result = await autocannon({
    url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: CONNECTIONS,
    duration: options.durationSeconds ?? DURATION_SECONDS,
    ...(each
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...request.headers, ...each() },
              }),
            },
          ],
        }
      : {}),
  });
  const total = result.requests.total;
  const expected =
    (result.statusCodeStats as Record<string, { count: number }>)[String(options.expectStatus)]
      ?.count ?? 0;
  if (total === 0 || expected !== total || result.errors > 0) {
    throw new Error(
      `${name}: ${expected} of ${total} requests answered ${options.expectStatus} (${result.errors} errors)`,
    );
  }
  return {
    name,
    meanMs: result.latency.mean,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    opsPerSecond: result.requests.average,
  };
}

export interface Started {
  url: string;
  process: ChildProcess;
}

/** Starts a server process and resolves with its URL once it says where it listens. */
export async function startProcess(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Started> {
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const running = output.match(/running at (http:\/\/\S+)/);
      const listening = output.match(/listening (\d+)/);
      if (running || listening) {
        clearTimeout(timer);
        resolve(running ? running[1]! : `http://127.0.0.1:${listening![1]}/`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { url, process: child };
}

/** Stops a started process and waits for it, so the next measurement has the CPU to itself. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
