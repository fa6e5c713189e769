import type { Sidekey } from '@sidekey/core';

/** One operator command: its usage line, and what it does with an open Sidekey. */
export interface Command {
  usage: string;
  summary: string;
  run(sidekey: Sidekey, args: string[], out: (line: string) => void): Promise<void>;
}
