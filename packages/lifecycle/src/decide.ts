import { transition } from 'xstate';
import {
  credentialMachine,
  type CredentialContext,
  type CredentialEvent,
  type PersistedState,
} from './machine.ts';

/** What a service loads from a credential row to ask the machine about it. */
export interface CredentialRecord extends CredentialContext {
  state: PersistedState | 'new';
}

export type Decision =
  | { allowed: false; from: CredentialRecord['state'] }
  /** `changed` is false when the event is allowed but leaves nothing to persist. */
  | {
      allowed: true;
      from: CredentialRecord['state'];
      to: PersistedState;
      context: CredentialContext;
      changed: boolean;
      /**
       * The edge taken carries the machine's `audit` action: the step goes to the audit
       * log and is written at once. False for a routine use, which is telemetry only.
       */
      audited: boolean;
    };

/**
 * The machine as a pure function: rebuild the snapshot from the row, ask for the
 * next one. No actor lives on; the caller persists `to`/`context` with a guard on
 * `from` (`UPDATE … WHERE state = from`) so two concurrent decisions cannot both win.
 */
export function decide(record: CredentialRecord, event: CredentialEvent): Decision {
  const { state, ...context } = record;
  const snapshot = credentialMachine.resolveState({ value: state, context });
  if (!snapshot.can(event)) return { allowed: false, from: state };
  const [next, actions] = transition(credentialMachine, snapshot, event);
  const to = next.value as PersistedState;
  const changed = to !== state || !sameContext(context, next.context);
  const audited = actions.some((action) => action.type === 'audit');
  return { allowed: true, from: state, to, context: next.context, changed, audited };
}

function sameContext(a: CredentialContext, b: CredentialContext): boolean {
  return (Object.keys(a) as (keyof CredentialContext)[]).every((key) => {
    const x = a[key];
    const y = b[key];
    return Array.isArray(x) && Array.isArray(y)
      ? x.length === y.length && x.every((item, i) => item === y[i])
      : x === y;
  });
}
