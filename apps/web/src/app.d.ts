import type { Sidekey, ValidatedSession } from '@sidekey/core';

declare global {
  namespace App {
    interface Locals {
      /** Resolved once per request in hooks.server.ts. */
      context: {
        sidekey: Sidekey;
        auth: ValidatedSession | null;
        address: string | null;
        /** SIDEKEY_REQUEST_DEADLINE_MS: how long a relying service's verify may take. */
        verifyDeadlineMs: number;
      };
    }
  }
}

export {};
