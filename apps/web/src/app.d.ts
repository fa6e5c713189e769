import type { Sidekey, ValidatedSession } from '@sidekey/core';

declare global {
  namespace App {
    interface Locals {
      /** Resolved once per request in hooks.server.ts. */
      context: {
        sidekey: Sidekey;
        auth: ValidatedSession | null;
        address: string | null;
      };
    }
  }
}

export {};
