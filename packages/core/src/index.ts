export { createSidekey, type Sidekey, type SidekeyOptions } from './sidekey.ts';
export {
  ConfigError,
  openSidekey,
  readConfig,
  resolveSecret,
  type OpenOptions,
  type SidekeyConfig,
} from './config.ts';
export { DatabaseUnavailableError } from './open-database.ts';
export { describeStartFailure } from './start-failure.ts';
export { SidekeyError, type SidekeyErrorCode } from './errors.ts';
export { createLogger, createMemoryLogger, type Logger } from './logger.ts';
export type { ActorMeta, Deps } from './deps.ts';
export { serverKeys, type ServerKeys } from './secrets/server-keys.ts';
export {
  APP_PASSWORD_PATTERN,
  APP_PASSWORD_PREFIX,
  generateAppPassword,
  parseAppPassword,
} from './app-passwords/format.ts';
export {
  APP_PASSWORD_SCOPES,
  DEFAULT_SCOPES,
  MAX_ACTIVE_APP_PASSWORDS,
  revokeAllForAccount,
  type AppPasswordScope,
  type AppPasswordSummary,
} from './app-passwords/app-passwords.ts';
export { REVOCATION_CHANNEL, type RevocationNotice } from './app-passwords/transition.ts';
export {
  allProtocols,
  protocolScopes,
  isProtocol,
  type Protocol,
} from './verification/protocols.ts';
export type { VerifyInput, VerifyResult, VerifyRefusal } from './verification/verify.ts';
export { normaliseEmail, EMAIL_MAX_LENGTH } from './accounts/email.ts';
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './accounts/password-policy.ts';
export { REAUTHENTICATION_WINDOW_MS, type ValidatedSession } from './accounts/sessions.ts';
export { WRONG_CREDENTIALS_MESSAGE } from './accounts/authentication.ts';
export {
  SERVICE_KEY_PREFIX,
  SERVICE_NAME_MAX_LENGTH,
  type AuthenticatedService,
  type ServiceKeySummary,
} from './service-keys/service-keys.ts';
export {
  lifecycleReviewService,
  MAX_REVIEW_PERIOD_MS,
  type CredentialPath,
  type LifecycleReview,
  type PathStep,
  type EdgeCount,
} from './lifecycle-review/review.ts';
export { foldLifecycleTally, type FoldReport } from './lifecycle-review/totals.ts';
export {
  createThrottle,
  type Throttle,
  type ThrottlePolicy,
  type ThrottleState,
  type FailureOutcome,
} from './throttle/throttle.ts';
export {
  ACCOUNT_SIGN_IN_POLICY,
  ADDRESS_REQUEST_POLICY,
  ADDRESS_SIGN_IN_POLICY,
  ENROLMENT_POLICY,
} from './accounts/sign-in-throttle.ts';
export {
  configureHashing,
  HASHING_CONCURRENCY,
  HASHING_QUEUE_LIMIT,
  hashingStats,
} from './accounts/password-hashing.ts';
export { DEFAULT_RESET_TTL_MS } from './accounts/password-changes.ts';
export { ACTIVITY_MAX_LIMIT } from './accounts/activity.ts';
export { TOTP_DIGITS, TOTP_PERIOD_SECONDS, qrCodeSvg } from './two-factor/totp.ts';
export { RECOVERY_CODE_COUNT } from './two-factor/recovery-codes.ts';
export type { MailMessage, MailOptions } from './mail/mailer.ts';
export {
  ENDPOINT_VARIABLES,
  endpointsForScopes,
  readConnectEndpoints,
  undeclaredScopes,
  type ConnectEndpoints,
  type DavEndpoint,
  type MailEndpoint,
  type MailSecurity,
} from './connect/endpoints.ts';
export {
  appleAccounts,
  appleProfile,
  appleProfileFileName,
  type AppleAccount,
} from './connect/apple-profile.ts';
export { thunderbirdAutoconfig } from './connect/autoconfig.ts';
export { CONNECT_LINK_TTL_MS, type RedeemedConnectLink } from './connect/links.ts';
export {
  CLIENT_NAME_MAX_LENGTH,
  CONNECT_POLL_INTERVAL_SECONDS,
  CONNECT_REQUEST_TTL_MS,
  MAX_PENDING_PER_ADDRESS,
  type PendingRequest,
  type PollOutcome,
  type StartedRequest,
} from './connect/requests.ts';
export { formatUserCode, normaliseUserCode, USER_CODE_ALPHABET } from './connect/user-code.ts';
export { backupDatabase, restoreDatabase } from './backup.ts';
