import { describe, expect, it } from 'vitest';
import { currentDeclaration, packageVersion, readSnapshot } from '../scripts/contract.js';

// A relying service pins a version of this client; what it type-checks against must not
// change under it. Any change to the declaration (service.* inputs, outputs, errors) is
// made on purpose: a new version, a changelog entry and a new snapshot.
const HOW =
  'The declaration of @sidekey/client differs from contract/index.d.ts, the one published. ' +
  'If the change to service.* is intended: bump "version" in packages/client/package.json, ' +
  'add it to CHANGELOG.md and run `pnpm --filter @sidekey/client contract:update`.';

describe('the published contract', () => {
  it('the built declaration is the committed one', () => {
    expect(currentDeclaration(), HOW).toBe(readSnapshot().declaration);
  }, 300_000); // a whole tsc run of the client and the router it is typed by: slow on a busy machine

  it('the committed contract belongs to the package’s version, which the changelog names', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readSnapshot().version, HOW).toBe(packageVersion());
    const changelog = readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8');
    expect(changelog).toContain(`## ${packageVersion()}`);
  });
});
