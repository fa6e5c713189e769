import type { Sidekey, SidekeyConfig } from '@sidekey/core';

/** One operator command: its usage line, and what it does with an open Sidekey. */
export interface Command {
  usage: string;
  summary: string;
  run(sidekey: Sidekey, args: string[], out: (line: string) => void): Promise<void>;
  /**
   * Instead of run, for commands that handle the database's files themselves (backup,
   * restore) and must not open Sidekey first; returns the exit code.
   */
  withoutSidekey?(
    config: SidekeyConfig,
    args: string[],
    out: (line: string) => void,
  ): Promise<number>;
}
