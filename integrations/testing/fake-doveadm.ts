import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in doveadm that records its arguments and answers like the real one (2.3.19):
 * `kick` of a user without sessions prints "no users kicked" and exits 68. For tests of
 * sidekey-dovecot on its own; dovecot/dovecot.test.ts runs the real doveadm against
 * a real Dovecot.
 */
export function createFakeDoveadm() {
  const dir = mkdtempSync(join(tmpdir(), 'sidekey-doveadm-'));
  const calls = join(dir, 'calls');
  const path = join(dir, 'doveadm');
  writeFileSync(
    path,
    `#!/bin/sh
echo "$*" >> '${calls}'
case "$*" in
  *"kick idle@example.org") echo "no users kicked"; exit 68 ;;
  *"kick broken@example.org") echo "Error: anvil not running" >&2; exit 75 ;;
  *kick*) echo "$1 1234" ;;
  *) echo "1 cache entries flushed" ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    calls: () =>
      existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean) : [],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
