import type { ServerSetting } from './connect/settings';

/** What the account page's form actions answer (see routes/account/+page.server.ts). */
export interface AccountForm {
  form: string;
  message?: string | null;
  reason?: string | null;
  fieldErrors?: Record<string, string[] | undefined>;
  success?: string;
  label?: string;
  /** The password a per-row form (rename) was about. */
  id?: string;
  scopes?: string[];
  expiresInDays?: string;
  generated?: {
    id: string;
    label: string;
    password: string;
    connect: {
      username: string;
      scopes: string[];
      settings: ServerSetting[];
      undeclared: string[];
      profile: { accounts: string[]; fileName: string; href: string } | null;
      phone: { link: string; expiresAt: Date; qrImage: string } | null;
    };
  };
  enrollment?: { secret: string; otpauthUri: string; qrImage: string } | null;
  recoveryCodes?: string[];
}

/** The form's answer if it belongs to one of these forms. */
export function answerFor(form: unknown, ...names: string[]): AccountForm | null {
  const answer = form as AccountForm | null | undefined;
  return answer && names.includes(answer.form) ? answer : null;
}

/** True when the server asked for the password again for this form. */
export function wantsReauthentication(answer: AccountForm | null): boolean {
  return answer?.reason === 'reauthentication_required';
}

/** What the audit log says about a password beyond its row: a refusal, the app's own name. */
export interface PasswordNotes {
  refused?: { at: Date; service: string | null; userAgent: string | null };
  userAgent?: string | null;
}
