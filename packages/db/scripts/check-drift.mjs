// Fails when the schema in src/schema/ has changed without a committed migration: drizzle-kit
// generates into a scratch copy of migrations/, and any new file there is drift.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { relative } from 'node:path';

const scratch = mkdtempSync('.drift-check-');
try {
  cpSync('migrations', `${scratch}/migrations`, { recursive: true });
  const before = readdirSync(`${scratch}/migrations`).length;
  execFileSync(
    'drizzle-kit',
    [
      'generate',
      '--dialect',
      'postgresql',
      '--schema',
      './src/schema/index.ts',
      '--out',
      `${relative('.', scratch)}/migrations`,
    ],
    { stdio: 'pipe' },
  );
  const after = readdirSync(`${scratch}/migrations`);
  if (after.length !== before) {
    console.error(
      `The schema changed without a migration (drizzle-kit would write ${after.filter((f) => f.endsWith('.sql')).pop()}).\n` +
        'Run `pnpm --filter @sidekey/db generate` and commit the migration.',
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
