import type { Sidekey, ValidatedSession } from '@sidekey/core';

declare global {
  namespace App {
    interface Locals {
      /** Resolved once per request in hooks.server.ts. */
      context: {
        sidekey: Sidekey;
        auth: ValidatedSession | null;
        address: string | null;
        /** SIDEKEY_REQUEST_DEADLINE_MS: how long an answer to another program may take (a relying service's verify, an app's login flow). */
        requestDeadlineMs: number;
      };
    }
  }
}

export {};
