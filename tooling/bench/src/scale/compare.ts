import type { Row } from '../report.ts';

/** At scale, a figure more than this much worse than at small size is flagged. */
export const WORSE_LIMIT = 1.2;

export interface Comparison {
  name: string;
  figure: 'p50' | 'p99';
  smallMs: number;
  scaleMs: number;
  ratio: number;
  flagged: boolean;
}

/** Each case's p50 and p99 at scale as a ratio to the same figure on the small database. */
export function compare(small: Row[], scale: Row[]): Comparison[] {
  return small.flatMap((row) => {
    const big = scale.find((candidate) => candidate.name === row.name);
    if (!big) throw new Error(`${row.name}: not measured at scale`);
    return (['p50', 'p99'] as const).map((figure) => {
      const smallMs = figure === 'p50' ? row.p50Ms : row.p99Ms;
      const scaleMs = figure === 'p50' ? big.p50Ms : big.p99Ms;
      // HTTP latencies come in whole milliseconds: a floor of 1 ms keeps 0 → 1 from reading as ∞.
      const ratio = Math.max(scaleMs, 0.001) / Math.max(smallMs, 0.001);
      return { name: row.name, figure, smallMs, scaleMs, ratio, flagged: ratio > WORSE_LIMIT };
    });
  });
}

/** The median of each figure over rounds: one round's noise on a shared machine is not a trend. */
export function medianRows(rounds: Row[][]): Row[] {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  return rounds[0]!.map((row, i) => ({
    name: row.name,
    meanMs: median(rounds.map((round) => round[i]!.meanMs)),
    p50Ms: median(rounds.map((round) => round[i]!.p50Ms)),
    p99Ms: median(rounds.map((round) => round[i]!.p99Ms)),
    opsPerSecond: median(rounds.map((round) => round[i]!.opsPerSecond)),
  }));
}
