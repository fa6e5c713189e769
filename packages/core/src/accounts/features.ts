import type { appPasswordService, GenerateInput } from '../app-passwords/app-passwords.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { createMailer, type MailOptions } from '../mail/mailer.ts';
import { securityNotices } from '../mail/notices.ts';
import { twoFactorService } from '../two-factor/two-factor.ts';
import { activityService } from './activity.ts';
import { passwordChangeService } from './password-changes.ts';
import { accountService } from './authentication.ts';
import type { SessionService } from './sessions.ts';
import { signInThrottles } from './sign-in-throttle.ts';
import { signUpService } from './sign-up.ts';

type AppPasswordService = ReturnType<typeof appPasswordService>;

export interface AccountOptions {
  /** SMTP_URL and the sender; unset SMTP: every message stays in the outbox. */
  mail?: MailOptions;
  /** ORIGIN: the public URL reset links point at (never the request's Host). */
  origin?: string;
  /** How long a reset link works (SIDEKEY_RESET_TTL); default 30 minutes. */
  resetTtlMs?: number;
}

/** The account side assembled: sign-in, two-factor, password changes, mail, activity. */
export function accountFeatures(deps: Deps, sessions: SessionService, options: AccountOptions) {
  const mailer = createMailer(deps, options.mail);
  const notices = securityNotices(mailer);
  const throttles = signInThrottles(deps);
  const twoFactor = twoFactorService(deps, { mailer, notices, throttles });
  const accounts = {
    ...accountService(deps, { sessions, twoFactor, throttles, mailer, notices }),
    ...signUpService(deps, { sessions, throttles, mailer, origin: options.origin }),
  };
  const passwords = passwordChangeService(deps, {
    sessions,
    throttles,
    mailer,
    notices,
    origin: options.origin,
    resetTtlMs: options.resetTtlMs,
  });
  const { activity } = activityService(deps);

  /** "An app password was created" goes to the owner after each generate commits. */
  function withCreationNotice(service: AppPasswordService): AppPasswordService {
    return {
      ...service,
      async generate(accountId: string, input: GenerateInput, meta: ActorMeta) {
        const generated = await service.generate(accountId, input, meta);
        mailer.dispatch(...(await notices.appPasswordCreated(deps.db, accountId, generated.label)));
        return generated;
      },
    };
  }

  return {
    mailer,
    notices,
    throttles,
    twoFactor,
    accounts,
    passwords,
    activity,
    withCreationNotice,
  };
}
