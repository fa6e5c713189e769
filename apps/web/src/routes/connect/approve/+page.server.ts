import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { failWith, problemOf } from '$lib/server/problems';
import { refreshSession, serverCaller } from '$lib/server/trpc';
import type { Actions, PageServerLoad } from './$types';

type Scope = 'mail' | 'contacts' | 'calendars' | 'files';

/**
 * The owner's side of the login flow: the link an app opened (or the code typed here)
 * names its request; signed in, the owner sees which app asks and for what, and approves
 * or denies. Every step is a plain form, so it works without JavaScript.
 */
export const load: PageServerLoad = async (event) => {
  const { locals, url } = event;
  if (event.request.method === 'POST') await refreshSession(event);
  const code = (url.searchParams.get('code') ?? '').trim().slice(0, 32);
  if (!locals.context.auth) {
    const back = code ? `/connect/approve?code=${encodeURIComponent(code)}` : '/connect/approve';
    redirect(303, `/sign-in?next=${encodeURIComponent(back)}`);
  }
  const { account, session } = locals.context.auth;
  const base = {
    code,
    twoFactor: Boolean(account.totpEnabledAt),
    needsReauthentication: !locals.context.sidekey.sessions.isRecentlyReauthenticated(session),
  };
  // After a decision the page shows the outcome, not the (now spent) request again.
  if (!code || event.request.method === 'POST') return { ...base, request: null, problem: null };
  return { ...base, ...(await lookup(event, code)) };
};

/** The request a code names, or why there is none in words. */
async function lookup(event: RequestEvent, userCode: string) {
  try {
    const request = await serverCaller(event).connectRequests.lookup({ userCode });
    return { request, problem: null };
  } catch (error) {
    return { request: null, problem: problemOf(error).message };
  }
}

function choiceOf(form: FormData) {
  return {
    userCode: String(form.get('userCode') ?? ''),
    label: String(form.get('label') ?? ''),
    scopes: form.getAll('scopes').map(String) as Scope[],
  };
}

async function reauthenticateIfSent(event: RequestEvent, form: FormData) {
  const password = String(form.get('password') ?? '');
  const code = String(form.get('code') ?? '').trim();
  if (!password) return;
  await serverCaller(event).auth.reauthenticate({ password, code: code || undefined });
  await refreshSession(event);
}

export const actions: Actions = {
  approve: async (event) => {
    const form = await event.request.formData();
    const choice = choiceOf(form);
    const echo = { label: choice.label, scopes: choice.scopes, userCode: choice.userCode };
    if (choice.scopes.length === 0) {
      const message = 'Choose at least one thing the app may reach.';
      return fail(400, {
        form: 'approve',
        message,
        reason: 'invalid_input',
        fieldErrors: { scopes: [message] },
        ...echo,
      });
    }
    try {
      await reauthenticateIfSent(event, form);
      const approved = await serverCaller(event).connectRequests.approve(choice);
      return {
        form: 'approve',
        approved: { clientName: approved.clientName, label: approved.label },
      };
    } catch (error) {
      const problem = problemOf(error);
      if (problem.reason === 'wrong_credentials') {
        problem.fieldErrors.password = ['That is not your password.'];
      }
      // Shown again beside the message, so the owner can correct and approve.
      const spent = ['unknown_code', 'already_decided', 'invalid_code', 'throttled'];
      const again = spent.includes(problem.reason ?? '')
        ? { request: null }
        : await lookup(event, choice.userCode);
      return failWith('approve', error, {
        ...echo,
        fieldErrors: problem.fieldErrors,
        request: again.request,
      });
    }
  },

  deny: async (event) => {
    const form = await event.request.formData();
    const userCode = String(form.get('userCode') ?? '');
    try {
      const denied = await serverCaller(event).connectRequests.deny({ userCode });
      return { form: 'deny', denied: { clientName: denied.clientName } };
    } catch (error) {
      return failWith('deny', error, { userCode });
    }
  },
};
