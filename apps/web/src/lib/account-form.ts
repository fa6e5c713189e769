/** What the account page's form actions answer (see routes/account/+page.server.ts). */
export interface AccountForm {
  form: string;
  message?: string | null;
  reason?: string | null;
  fieldErrors?: Record<string, string[] | undefined>;
  success?: string;
  label?: string;
  scopes?: string[];
  generated?: { id: string; label: string; password: string };
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
