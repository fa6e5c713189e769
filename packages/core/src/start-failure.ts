import { DataDirLockedError } from '@sidekey/db';
import { ConfigError } from './config.ts';
import { DatabaseUnavailableError } from './open-database.ts';

/**
 * What an operator reads when Sidekey cannot start: plain sentences, one per line, never
 * a stack trace (a supervisor's log is where they land). Unexpected failures keep their
 * message only.
 */
export function describeStartFailure(error: unknown): string {
  if (error instanceof ConfigError) return error.problems.join('\n');
  if (error instanceof DataDirLockedError || error instanceof DatabaseUnavailableError)
    return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Sidekey could not start: ${message.split('\n')[0]}`;
}
