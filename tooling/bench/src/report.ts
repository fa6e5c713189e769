import type { Bench } from 'tinybench';

export interface Row {
  name: string;
  /** Mean latency in milliseconds. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  opsPerSecond: number;
}

/** Rows from a finished tinybench run; a task that errored fails the benchmark loudly. */
export function rowsOf(bench: Bench): Row[] {
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed')
      throw new Error(
        `${task.name}: ${result.state}${'error' in result ? ` — ${String(result.error)}` : ''}`,
      );
    return {
      name: task.name,
      meanMs: result.latency.mean,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      opsPerSecond: 1000 / result.latency.mean,
    };
  });
}

/**
 * Prints rows as ratios to a ceiling measured in the same run: absolute times drift on
 * shared machines, ratios to something that drifts with them much less.
 */
export function printRatios(title: string, ceiling: Row, rows: Row[], note: string): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\n## ${title}`);
  out(
    `ceiling: ${ceiling.name} — ${format(ceiling.meanMs)} mean, ${Math.round(ceiling.opsPerSecond)} ops/s`,
  );
  out(
    `${'case'.padEnd(58)} ${'mean'.padStart(10)} ${'p99'.padStart(10)} ${'ops/s'.padStart(9)}  cost × ceiling`,
  );
  // Cost per operation from throughput: HTTP latencies come in whole milliseconds.
  for (const row of [ceiling, ...rows]) {
    out(
      `${row.name.padEnd(58)} ${format(row.meanMs).padStart(10)} ${format(row.p99Ms).padStart(10)} ${String(Math.round(row.opsPerSecond)).padStart(9)}  ${(ceiling.opsPerSecond / row.opsPerSecond).toFixed(2)}×`,
    );
  }
  out(note);
}

function format(ms: number): string {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}
