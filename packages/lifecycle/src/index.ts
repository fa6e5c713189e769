export {
  credentialMachine,
  persistedStates,
  revokeReasons,
  KNOWN_PLACES_MAX,
  type CredentialContext,
  type CredentialEvent,
  type PersistedState,
  type RevokeReason,
} from './machine.ts';
export { decide, type Decision, type CredentialRecord } from './decide.ts';
export {
  credentialLifecycleGraph,
  isAllowedStep,
  readMachineGraph,
  type LifecycleGraph,
  type LifecycleState,
  type LifecycleTransition,
} from './graph.ts';
export {
  edgeLabel,
  lifecycleExports,
  toMermaid,
  toScxml,
  toStatelyJson,
  type LifecycleExportFormat,
} from './exporters.ts';
export { chooseEdge, type ChosenEdge } from './choose-edge.ts';
