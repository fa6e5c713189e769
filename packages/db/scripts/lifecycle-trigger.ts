// Writes the lifecycle trigger, generated from the machine, into the newest custom
// migration named *_lifecycle_trigger.sql. Create one first, under the migrate lock:
//   pnpm exec drizzle-kit generate --custom --name lifecycle_trigger
import { readFileSync, writeFileSync } from 'node:fs';
import { credentialLifecycleGraph } from '@sidekey/lifecycle';
import { lifecycleTriggerSql } from '../src/lifecycle-trigger.ts';
import { latestLifecycleTriggerMigration } from '../src/lifecycle-trigger-migration.ts';

const expected = lifecycleTriggerSql(credentialLifecycleGraph());
const latest = latestLifecycleTriggerMigration();
if (!latest) {
  console.error(
    'No *_lifecycle_trigger.sql migration yet: run `pnpm exec drizzle-kit generate --custom --name lifecycle_trigger` first.',
  );
  process.exit(1);
}
const current = readFileSync(latest, 'utf8');
if (current === expected) {
  process.stdout.write(`${latest} already matches the machine.\n`);
} else if (current.startsWith('-- GENERATED')) {
  // Applied migrations never run again: a changed machine needs a new migration.
  console.error(
    `${latest} was generated from an older machine. Create a new custom migration (see above) and run this again.`,
  );
  process.exit(1);
} else {
  writeFileSync(latest, expected);
  process.stdout.write(`wrote ${latest}\n`);
}
