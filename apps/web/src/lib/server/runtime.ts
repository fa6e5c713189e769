import { openSidekey, readConfig, type Sidekey, type SidekeyConfig } from '@sidekey/core';
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

export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as Holder;
  holder[RUNTIME] ??= (async () => {
    const config = readConfig();
    const sidekey = await openSidekey(config);
    scheduleHousekeeping(sidekey);
    return { config, sidekey };
  })();
  return holder[RUNTIME];
}

const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/** Hourly, expired sessions, spent reset tokens and long-idle throttles are deleted. */
function scheduleHousekeeping(sidekey: Sidekey): void {
  const timer = setInterval(() => {
    sidekey.prune().then(
      (removed) => sidekey.deps.log.info({ removed }, 'housekeeping'),
      (error: Error) =>
        sidekey.deps.log.warn({ err: { message: error.message } }, 'housekeeping failed'),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  timer.unref(); // never what keeps the process alive
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
(globalThis as Record<symbol, unknown>)[Symbol.for('sidekey.fastRoutes')] =
  createNodeFastRoutes(getSidekey);

/** server.js stamps every request with the client address this rule gives. */
(globalThis as Record<symbol, unknown>)[Symbol.for('sidekey.clientAddress')] = nodeClientAddress;
