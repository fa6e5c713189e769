import { fail, redirect, type ActionFailure } from '@sveltejs/kit';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPCError } from '@trpc/server';

/** What a form shows when the API refused: a sentence, a stable reason word, per-field messages. */
export interface Problem {
  message: string;
  reason: string | null;
  fieldErrors: Record<string, string[]>;
}

interface Issue {
  path: PropertyKey[];
  message: string;
}

function isIssueList(value: unknown): value is { issues: Issue[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { issues?: unknown }).issues)
  );
}

/**
 * A refused procedure call in words. Input errors come from zod (per field, first
 * message first); domain errors carry their SidekeyError reason. Anything that is not
 * a tRPC error is a bug and is rethrown, so SvelteKit's error page (not a form) shows it.
 */
export function problemOf(error: unknown): Problem & { status: number } {
  if (!(error instanceof TRPCError)) throw error;
  const status = getHTTPStatusCodeFromError(error);
  const cause = error.cause as { reason?: unknown } | undefined;
  if (isIssueList(cause)) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of cause.issues) {
      const field = String(issue.path[0] ?? 'form');
      (fieldErrors[field] ??= []).push(issue.message);
    }
    return {
      status,
      message: cause.issues[0]?.message ?? 'Check what you entered.',
      reason: 'invalid_input',
      fieldErrors,
    };
  }
  const reason = typeof cause?.reason === 'string' ? cause.reason : null;
  const field = reason ? FIELD_OF_REASON[reason] : undefined;
  return {
    status,
    message: status >= 500 ? 'Something went wrong on our side. Please try again.' : error.message,
    reason,
    fieldErrors: field ? { [field]: [error.message] } : {},
  };
}

/** Domain refusals about one form field, shown beside that field. */
const FIELD_OF_REASON: Record<string, string> = { duplicate_label: 'label' };

/**
 * Turns a refused call into a form failure tagged with the form it belongs to, so the
 * page shows the message next to that form. Signed-out callers go to sign in instead.
 * The form's name stays a literal type, so a page's generated ActionData can be told
 * apart by it; without `extra`, T is empty rather than Record<string, unknown>, whose
 * index signature would blur every other answer in that ActionData.
 */
export function failWith<
  F extends string,
  T extends Record<string, unknown> = Record<never, never>,
>(form: F, error: unknown, extra?: T): ActionFailure<Problem & { form: F } & T> {
  const problem = problemOf(error);
  if (problem.status === 401 && problem.reason === null) redirect(303, '/sign-in');
  const { status, ...rest } = problem;
  return fail(status, { form, ...rest, ...(extra ?? ({} as T)) });
}

/** The problem when a form was sent without something it needs (no API call made). */
export function failMissing<
  F extends string,
  T extends Record<string, unknown> = Record<never, never>,
>(form: F, field: string, message: string, echo?: T) {
  return fail(400, {
    form,
    message,
    reason: 'invalid_input',
    fieldErrors: { [field]: [message] },
    ...(echo ?? ({} as T)),
  });
}
