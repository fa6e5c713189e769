import { credentialMachine, type CredentialContext, type CredentialEvent } from './machine.ts';
import type { CredentialRecord } from './decide.ts';

/** One candidate transition of the machine, with its guard's implementation resolved. */
interface Candidate {
  target: string;
  audited: boolean;
  guard: ((args: { context: CredentialContext; event: CredentialEvent }) => boolean) | null;
}

export interface ChosenEdge {
  target: string;
  /** The edge carries the machine's `audit` action. */
  audited: boolean;
}

const candidatesByState = new Map<string, Map<string, Candidate[]>>();

/**
 * Which edge the machine takes for an event, evaluated from the machine's own candidates
 * and named guards — the same objects decide() runs — without building a snapshot or an
 * actor. For the verify path, where a routine use must be told from an audited one on
 * every login; decide() remains the one that computes the next context. Null: refused.
 */
export function chooseEdge(record: CredentialRecord, event: CredentialEvent): ChosenEdge | null {
  const { state, ...context } = record;
  for (const candidate of candidatesOf(state, event.type)) {
    if (candidate.guard && !candidate.guard({ context, event })) continue;
    return { target: candidate.target, audited: candidate.audited };
  }
  return null;
}

function candidatesOf(state: string, eventType: string): Candidate[] {
  let byEvent = candidatesByState.get(state);
  if (!byEvent) candidatesByState.set(state, (byEvent = new Map()));
  let candidates = byEvent.get(eventType);
  if (candidates) return candidates;
  const node = credentialMachine.root.states[state];
  const guards = credentialMachine.implementations.guards as Record<string, Candidate['guard']>;
  candidates = (node?.transitions.get(eventType) ?? []).map((transition) => {
    const guard = transition.guard as unknown;
    const name =
      typeof guard === 'string'
        ? guard
        : guard && typeof guard === 'object' && 'type' in guard
          ? String(guard.type)
          : null;
    if (guard && (!name || !guards[name])) {
      throw new Error(`chooseEdge reads only named guards; ${state} on ${eventType} has another.`);
    }
    return {
      target: transition.target?.[0]?.key ?? state,
      audited: (transition.actions ?? []).some(
        (action) =>
          action === 'audit' ||
          (typeof action === 'object' &&
            action !== null &&
            'type' in action &&
            action.type === 'audit'),
      ),
      guard: name ? guards[name]! : null,
    };
  });
  byEvent.set(eventType, candidates);
  return candidates;
}
