import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The id of the last handled event, or undefined before the first one. */
export function readLastEventId(stateFile: string): string | undefined {
  if (!existsSync(stateFile)) return undefined;
  const id = readFileSync(stateFile, 'utf8').trim();
  return /^\d{1,15}$/.test(id) ? id : undefined;
}

/**
 * Written to a temporary file and renamed over the old one: a crash or a full disk midway
 * leaves the previous id, never half of a new one (rename is atomic on POSIX).
 */
export function writeLastEventId(stateFile: string, id: string): void {
  const temporary = `${stateFile}.tmp`;
  writeFileSync(temporary, `${id}\n`);
  renameSync(temporary, stateFile);
}
