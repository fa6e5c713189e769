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
  DEFAULT_SCOPES,
  MAX_ACTIVE_APP_PASSWORDS,
  revokeAllForAccount,
  type AppPasswordScope,
  type AppPasswordSummary,
} from './app-passwords/service.ts';
export { REVOCATION_CHANNEL, type RevocationNotice } from './app-passwords/transition.ts';
export {
  serviceNames,
  serviceScopes,
  isServiceName,
  type ServiceName,
} from './verification/services.ts';
export type { VerifyInput, VerifyResult, VerifyRefusal } from './verification/verify.ts';
export { normaliseEmail, EMAIL_MAX_LENGTH } from './accounts/email.ts';
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './accounts/password-policy.ts';
export { REAUTHENTICATION_WINDOW_MS, type ValidatedSession } from './accounts/sessions.ts';
export { WRONG_CREDENTIALS_MESSAGE } from './accounts/service.ts';
export {
  SERVICE_KEY_PREFIX,
  SERVICE_NAME_MAX_LENGTH,
  type AuthenticatedService,
  type ServiceKeySummary,
} from './service-keys/service.ts';
export {
  lifecycleReviewService,
  MAX_REVIEW_PERIOD_MS,
  type CredentialPath,
  type LifecycleReview,
  type PathStep,
  type EdgeCount,
} from './lifecycle-review/review.ts';
export {
  createThrottle,
  type Throttle,
  type ThrottlePolicy,
  type ThrottleState,
  type FailureOutcome,
} from './throttle/throttle.ts';
export { ACCOUNT_SIGN_IN_POLICY, ADDRESS_SIGN_IN_POLICY } from './accounts/sign-in-throttle.ts';
export { DEFAULT_RESET_TTL_MS } from './accounts/password-changes.ts';
export { ACTIVITY_MAX_LIMIT } from './accounts/activity.ts';
export { TOTP_DIGITS, TOTP_PERIOD_SECONDS } from './two-factor/totp.ts';
export { RECOVERY_CODE_COUNT } from './two-factor/recovery-codes.ts';
export type { MailMessage, MailOptions } from './mail/mailer.ts';
