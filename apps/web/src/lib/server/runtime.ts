import { openSidekey, readConfig, type Sidekey, type SidekeyConfig } from '@sidekey/core';

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
    return { config, sidekey: await openSidekey(config) };
  })();
  return holder[RUNTIME];
}
