// Adds up Vitest's per-package "Tests …" lines from the given logs into the one plain
// closing line CI reads: "N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
  for (const line of text.split('\n')) {
    const summary = line.match(/\bTests\s+(.*)\(\d+\)\s*$/);
    if (!summary) continue;
    for (const [, count, kind] of summary[1].matchAll(/(\d+)\s+(passed|failed|skipped)/g)) totals[kind] += Number(count);
  }
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (totals.passed === 0) process.exitCode = 1;
