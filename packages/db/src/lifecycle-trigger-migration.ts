import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIFECYCLE_TRIGGER_MIGRATION_NAME } from './lifecycle-trigger.ts';

const migrationsFolder = fileURLToPath(new URL('../migrations/', import.meta.url));

/** The newest committed migration holding the generated lifecycle trigger, or null. */
export function latestLifecycleTriggerMigration(): string | null {
  const files = readdirSync(migrationsFolder)
    .filter((file) => file.endsWith(`_${LIFECYCLE_TRIGGER_MIGRATION_NAME}.sql`))
    .sort();
  const latest = files.at(-1);
  return latest ? join(migrationsFolder, latest) : null;
}
