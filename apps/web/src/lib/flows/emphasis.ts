import type { LifecycleGraph } from '@sidekey/lifecycle';
import type { ExtraLabelLines } from './layout';

/**
 * What the path page and the review page draw on top of the plain lifecycle: the edges a
 * credential took (path), edge weights (review), and alarms — audit steps between two
 * states that the machine has no edge for.
 */
export interface Emphasis {
  edges?: Record<string, { tone: 'taken' | 'weighted'; strokeWidth?: number }>;
  states?: Record<string, { tone: 'visited' | 'current' }>;
  alarms?: { from: string; to: string; label: string }[];
}

export interface PathStepView {
  event: string;
  fromState: string | null;
  toState: string | null;
  edgeId: string | null;
  allowed: boolean;
}

/** A credential's path: the edges it took numbered in order, its current state filled. */
export function pathEmphasis(
  steps: PathStepView[],
  currentState: string,
): { emphasis: Emphasis; extra: ExtraLabelLines } {
  const edges: NonNullable<Emphasis['edges']> = {};
  const states: NonNullable<Emphasis['states']> = {};
  const numbers: Record<string, number[]> = {};
  const alarms: NonNullable<Emphasis['alarms']> = [];
  steps.forEach((step, index) => {
    if (step.fromState) states[step.fromState] ??= { tone: 'visited' };
    if (step.toState) states[step.toState] ??= { tone: 'visited' };
    if (step.allowed && step.edgeId) {
      edges[step.edgeId] = { tone: 'taken' };
      (numbers[step.edgeId] ??= []).push(index + 1);
    } else if (step.fromState && step.toState) {
      alarms.push({ from: step.fromState, to: step.toState, label: `${index + 1}. ${step.event}` });
    }
  });
  states[currentState] = { tone: 'current' };
  const extra: ExtraLabelLines = {};
  for (const [edgeId, list] of Object.entries(numbers)) {
    extra[edgeId] = [`step ${compactList(list)}`];
  }
  return { emphasis: { edges, states, alarms }, extra };
}

/** `1, 2, 3, 4, 7` → `1–4, 7`: a busy credential's daily uses stay one short line. */
function compactList(numbers: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    parts.push(j > i + 1 ? `${numbers[i]}–${numbers[j]}` : numbers.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

export interface ReviewTransitionView {
  edgeId: string | null;
  event: string;
  fromState: string | null;
  toState: string | null;
  reason: string | null;
  count: number;
  allowed: boolean;
}

/** Review mode: each edge as thick as its traffic (log scale), its counts by reason beneath. */
export function reviewEmphasis(
  graph: LifecycleGraph,
  transitions: ReviewTransitionView[],
): { emphasis: Emphasis; extra: ExtraLabelLines; totals: Record<string, number> } {
  const totals: Record<string, number> = {};
  const byReason: Record<string, string[]> = {};
  const alarms: NonNullable<Emphasis['alarms']> = [];
  for (const row of transitions) {
    if (!row.allowed || !row.edgeId) {
      if (row.fromState && row.toState) {
        alarms.push({ from: row.fromState, to: row.toState, label: `${row.event} ×${row.count}` });
      }
      continue;
    }
    totals[row.edgeId] = (totals[row.edgeId] ?? 0) + row.count;
    if (row.reason) (byReason[row.edgeId] ??= []).push(`${row.reason} ${row.count}`);
  }
  const edges: NonNullable<Emphasis['edges']> = {};
  const extra: ExtraLabelLines = {};
  for (const edge of graph.transitions) {
    const total = totals[edge.id] ?? 0;
    extra[edge.id] = [`× ${total}`, ...(byReason[edge.id] ?? [])];
    if (total > 0) {
      edges[edge.id] = { tone: 'weighted', strokeWidth: 1.5 + Math.log2(1 + total) * 1.5 };
    }
  }
  return { emphasis: { edges, alarms }, extra, totals };
}
