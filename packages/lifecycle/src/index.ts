export {
  credentialMachine,
  persistedStates,
  revokeReasons,
  LAST_USE_WRITE_INTERVAL_MS,
  type CredentialContext,
  type CredentialEvent,
  type PersistedState,
  type RevokeReason,
} from './machine.ts';
export { decide, type Decision, type CredentialRecord } from './decide.ts';
