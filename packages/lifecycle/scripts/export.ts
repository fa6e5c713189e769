// Writes the lifecycle's Mermaid, SCXML and Stately exports into ./exports (git-ignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialLifecycleGraph, credentialMachine, lifecycleExports } from '../src/index.ts';

const outDir = process.argv[2] ?? fileURLToPath(new URL('../exports/', import.meta.url));
mkdirSync(outDir, { recursive: true });
for (const file of Object.values(lifecycleExports(credentialLifecycleGraph(), credentialMachine))) {
  const path = join(outDir, file.filename);
  writeFileSync(path, file.body);
  process.stdout.write(`wrote ${path}\n`);
}
