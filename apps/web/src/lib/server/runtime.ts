import {
  describeStartFailure,
  openSidekey,
  readConfig,
  type Sidekey,
  type SidekeyConfig,
} from '@sidekey/core';
import { createNodeFastRoutes } from './adapters/routes.ts';
import { nodeClientAddress } from './client-address.ts';

/**
 * One Sidekey per process, shared by SvelteKit and the plain-HTTP server entry
 * (server.js) through a global symbol: the bundle and the entry are separate modules.
 */
const RUNTIME = Symbol.for('sidekey.runtime');

export interface Runtime {
  sidekey: Sidekey;
  config: SidekeyConfig;
}

type Holder = { [RUNTIME]?: Promise<Runtime> };

/**
 * Set by server.js before it loads the bundle: it checks the configuration, binds its
 * port and only then opens the database (through `startup` below), so a mistake or a
 * second start is told in seconds, before the embedded database is touched.
 */
const MANAGED_START = Symbol.for('sidekey.managedStart');
export const startIsManaged = () => (globalThis as Record<symbol, unknown>)[MANAGED_START] === true;

export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as Holder;
  holder[RUNTIME] ??= (async () => {
    const config = readConfig();
    const sidekey = await openSidekey(config);
    housekeeping = scheduleHousekeeping(sidekey);
    return { config, sidekey };
  })();
  return holder[RUNTIME];
}

let housekeeping: NodeJS.Timeout | undefined;

/** Closes the database (releasing the embedded data directory) once requests have drained. */
export async function closeRuntime(): Promise<void> {
  const pending = (globalThis as Holder)[RUNTIME];
  if (!pending) return;
  clearInterval(housekeeping);
  const { sidekey } = await pending;
  await sidekey.close();
}

const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/** Hourly, expired sessions, spent reset tokens and long-idle throttles are deleted. */
function scheduleHousekeeping(sidekey: Sidekey): NodeJS.Timeout {
  const timer = setInterval(() => {
    sidekey.prune().then(
      (removed) => sidekey.deps.log.info({ removed }, 'housekeeping'),
      (error: Error) =>
        sidekey.deps.log.warn({ err: { message: error.message } }, 'housekeeping failed'),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  timer.unref(); // never what keeps the process alive
  return timer;
}

let ready: Sidekey | undefined;
/** The process's Sidekey; after the first call, without even a promise tick's allocation. */
export async function getSidekey(): Promise<Sidekey> {
  if (!ready) {
    ready = (await getRuntime()).sidekey;
    ready.metrics.collectProcessMetrics();
  }
  return ready;
}

/**
 * server.js asks this global before SvelteKit: the protocol adapters (/auth/verify,
 * /auth/basic, /healthz, /metrics) answer on plain node:http — tRPC's and SvelteKit's
 * per-request machinery would cost ~10x on the hottest path Sidekey has.
 */
(globalThis as Record<symbol, unknown>)[Symbol.for('sidekey.fastRoutes')] = createNodeFastRoutes(
  getSidekey,
  requestDeadline(),
);

/** A configuration mistake is told by server.js's own check, in a sentence; not here. */
function requestDeadline(): number | undefined {
  try {
    return readConfig().requestDeadlineMs;
  } catch {
    return undefined;
  }
}

/** What server.js drives: check the configuration, open, close. */
(globalThis as Record<symbol, unknown>)[Symbol.for('sidekey.startup')] = {
  readConfig: () => readConfig(),
  open: () => getRuntime(),
  close: closeRuntime,
  describe: describeStartFailure,
};

/** server.js stamps every request with the client address this rule gives. */
(globalThis as Record<symbol, unknown>)[Symbol.for('sidekey.clientAddress')] = nodeClientAddress;
