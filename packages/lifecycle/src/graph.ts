import { transition, type AnyStateMachine } from 'xstate';
import { credentialMachine, revokeReasons, type CredentialEvent } from './machine.ts';

/**
 * The lifecycle as a plain graph, read from the machine object at run time — never
 * written out by hand — so every picture, export and database trigger drawn from it
 * shows exactly what `decide()` runs.
 */
export interface LifecycleState {
  /** The state's key, e.g. `pending`. */
  id: string;
  description: string | null;
  initial: boolean;
  final: boolean;
}

export interface LifecycleTransition {
  /** Stable and unique: `source:EVENT:index`, the index counting the event's candidates in order. */
  id: string;
  source: string;
  target: string;
  event: string;
  /** The named guard from `setup({ guards })`, or null when the transition always applies. */
  guard: string | null;
  description: string | null;
  actions: string[];
  /** Revocation reasons this transition records (asked of the machine, see `probeReasons`). */
  reasons: string[];
}

export interface LifecycleGraph {
  id: string;
  initial: string;
  states: LifecycleState[];
  transitions: LifecycleTransition[];
  /** Every event type the machine handles, in first-seen order. */
  events: string[];
}

type StateNode = AnyStateMachine['root'];

/** Reads states and transitions of any flat (non-nested) XState v5 machine. */
export function readMachineGraph(machine: AnyStateMachine): LifecycleGraph {
  const root = machine.root;
  const initialKey = root.initial.target[0]?.key;
  if (!initialKey) throw new Error(`Machine ${machine.id} has no initial state.`);
  const nodes = Object.values(root.states) as StateNode[];
  if (nodes.some((node) => Object.keys(node.states).length > 0)) {
    throw new Error('Nested states are not drawn: the credential lifecycle is flat by design.');
  }

  const states: LifecycleState[] = nodes.map((node) => ({
    id: node.key,
    description: node.description ?? null,
    initial: node.key === initialKey,
    final: node.type === 'final',
  }));

  const transitions: LifecycleTransition[] = [];
  const events: string[] = [];
  for (const node of nodes) {
    for (const [event, candidates] of node.transitions) {
      if (!events.includes(event)) events.push(event);
      candidates.forEach((candidate, index) => {
        const target = candidate.target?.[0]?.key ?? node.key; // targetless = stays put
        transitions.push({
          id: `${node.key}:${event}:${index}`,
          source: node.key,
          target,
          event,
          guard: guardName(candidate.guard),
          description: candidate.description ?? null,
          actions: (candidate.actions ?? []).map(actionName),
          reasons: [],
        });
      });
    }
  }
  return { id: machine.id, initial: initialKey, states, transitions, events };
}

/**
 * The credential lifecycle's graph, with the revocation reasons each transition really
 * records. The reasons are found by asking the machine itself (every known reason, sent
 * through each edge into the final state) rather than restated, so a guard that starts
 * refusing a reason disappears from the picture too.
 */
export function credentialLifecycleGraph(): LifecycleGraph {
  const graph = readMachineGraph(credentialMachine);
  for (const edge of graph.transitions) {
    edge.reasons = probeReasons(edge);
  }
  return graph;
}

function probeReasons(edge: LifecycleTransition): string[] {
  if (edge.source === edge.target || edge.source === 'new') return [];
  const at = Date.UTC(2026, 0, 1);
  const found = new Set<string>();
  for (const reason of revokeReasons) {
    const event = { type: edge.event, at, reason, expiresAt: null } as unknown as CredentialEvent;
    const snapshot = credentialMachine.resolveState({
      value: edge.source,
      context: {
        // Expiry in the past and a use long ago, so time guards pass and only the reason decides.
        expiresAt: at - 1,
        firstUsedAt: at - 1,
        lastUsedAt: at - 1,
        revokedAt: null,
        revokeReason: null,
        knownNetworks: [],
        knownServices: [],
      },
    });
    if (!snapshot.can(event)) continue;
    const [next] = transition(credentialMachine, snapshot, event);
    if (next.value === edge.target && next.context.revokeReason) {
      found.add(next.context.revokeReason);
    }
  }
  return [...found];
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard) return String(guard.type);
  if (typeof guard === 'function') return guard.name || 'inline guard';
  return 'guard';
}

function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'object' && action !== null && 'type' in action) return String(action.type);
  if (typeof action === 'function') return action.name || 'inline action';
  return 'action';
}

/** True when the machine has an edge `from → to` (for any event): what an audit step may show. */
export function isAllowedStep(graph: LifecycleGraph, from: string, to: string, event?: string) {
  return graph.transitions.some(
    (edge) =>
      edge.source === from && edge.target === to && (event === undefined || edge.event === event),
  );
}
