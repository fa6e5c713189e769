// Every external dependency's version lives in the pnpm catalog (pnpm-workspace.yaml), so an
// upgrade touches one line and two packages can never drift onto different ranges.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const sections = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];
const manifests = execFileSync('git', ['ls-files', '*package.json'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const workspace = readFileSync('pnpm-workspace.yaml', 'utf8');
const catalogued = new Set(
  [...workspace.split(/^catalog:\n/m)[1].matchAll(/^ {2}'?([^':\s]+)'?:/gm)].map((m) => m[1]),
);

const problems = [];
for (const file of manifests) {
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  for (const section of sections) {
    for (const [name, range] of Object.entries(manifest[section] ?? {})) {
      if (range.startsWith('workspace:')) continue;
      if (range !== 'catalog:') problems.push(`${file}: ${name} is "${range}"; use "catalog:"`);
      else if (!catalogued.has(name)) problems.push(`${file}: ${name} is not in the catalog`);
    }
  }
}
if (problems.length) {
  console.error(
    `Versions belong in the catalog of pnpm-workspace.yaml:\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
