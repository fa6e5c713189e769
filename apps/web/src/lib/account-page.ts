import type { ActionData, PageData } from '../routes/account/$types';

/**
 * The account page's generated types, for its sections in $lib/components: what each form
 * action answers flows from the actions themselves, never from a copy kept by hand.
 */
export type { ActionData, PageData };

/** Any answer one of the account page's form actions gave. */
export type AccountAnswer = NonNullable<ActionData>;

/** The names the account page's answers are tagged with, one per form on the page. */
export type AccountFormName = AccountAnswer['form'];

/** The answers the named forms can get: successes and refusals alike. */
export type AnswerTo<N extends AccountFormName> = Extract<AccountAnswer, { form: N }>;

/** The form's answer if it belongs to one of these forms. */
export function answerFor<N extends AccountFormName>(
  form: ActionData,
  ...names: N[]
): AnswerTo<N> | null {
  // `includes` cannot narrow a union by its tag, so the check is made here, once.
  return form && (names as string[]).includes(form.form) ? (form as AnswerTo<N>) : null;
}

/** True when the server asked for the password again for this form. */
export function wantsReauthentication(answer: { reason?: string | null } | null): boolean {
  return answer?.reason === 'reauthentication_required';
}
