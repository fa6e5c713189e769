// The client's published contract: the declaration file a consumer type-checks against.
// A committed copy (contract/index.d.ts) records it at the version it was published with;
// a change to it is a change to the API, made on purpose, with a new version.
//
//   node scripts/contract.js update   (pnpm --filter @sidekey/client contract:update)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const SNAPSHOT = join(packageDir, 'contract', 'index.d.ts');
const HEADER = /^\/\/ @sidekey\/client (\S+): the published contract\. Do not edit: see scripts\/contract\.js\.\n/;

/** The version in package.json. */
export function packageVersion() {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
}

/** Builds the declaration from the current source, into a temporary directory. */
export function currentDeclaration() {
  const outDir = mkdtempSync(join(tmpdir(), 'sidekey-client-contract-'));
  try {
    const tsc = join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: packageDir,
      stdio: 'pipe',
    });
    return readFileSync(join(outDir, 'index.d.ts'), 'utf8');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The committed declaration and the version it belongs to. */
export function readSnapshot() {
  const text = readFileSync(SNAPSHOT, 'utf8');
  const match = HEADER.exec(text);
  if (!match) throw new Error(`${SNAPSHOT} lost its header; run contract:update.`);
  return { version: match[1], declaration: text.slice(match[0].length) };
}

function update() {
  const declaration = currentDeclaration();
  const version = packageVersion();
  let committed = null;
  try {
    committed = readSnapshot();
  } catch {
    // No snapshot yet: the first one.
  }
  if (committed && committed.declaration !== declaration && committed.version === version) {
    process.stderr.write(
      `The client's declaration changed, but the version is still ${version}.\n` +
        'Bump "version" in packages/client/package.json (a breaking change to service.*: the next major;\n' +
        'an addition: the next minor), say what changed in CHANGELOG.md, then run this again.\n',
    );
    process.exit(1);
  }
  writeFileSync(
    SNAPSHOT,
    `// @sidekey/client ${version}: the published contract. Do not edit: see scripts/contract.js.\n${declaration}`,
  );
  process.stdout.write(`contract/index.d.ts is now the contract of @sidekey/client ${version}.\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'update') update();
