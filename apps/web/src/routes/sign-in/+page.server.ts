import { redirect } from '@sveltejs/kit';
import { failWith } from '$lib/server/problems';
import { serverCaller } from '$lib/server/trpc';
import type { Actions, PageServerLoad } from './$types';

/** Fixed messages chosen by a word in the URL: nothing a link can inject. */
const notices: Record<string, string> = {
  'signed-out': 'You signed out.',
  'password-reset':
    'Your password was reset and your app passwords were revoked. Sign in with the new password.',
  'password-changed': 'Your password was changed. Sign in with the new password.',
};

/**
 * Where to go after signing in. Only the login flow's page is allowed, with a well-formed
 * code: a free `next` would make this page an open redirect for phishing links.
 */
function nextPage(url: URL): string | null {
  const next = url.searchParams.get('next');
  return next && /^\/connect\/approve(\?code=[A-Za-z-]{1,16})?$/.test(next) ? next : null;
}

export const load = (({ locals, url }) => {
  const next = nextPage(url);
  if (locals.context.auth) redirect(303, next ?? '/account');
  return {
    notice: next
      ? 'Sign in to connect the app to your account.'
      : (notices[url.searchParams.get('notice') ?? ''] ?? null),
  };
}) satisfies PageServerLoad;

export const actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    const code = String(form.get('code') ?? '').trim();
    let result;
    try {
      result = await serverCaller(event).auth.signIn({ email, password, code: code || undefined });
    } catch (error) {
      // A wrong code keeps the two-factor step open; the password is never sent back.
      return failWith('signIn', error, { email, twoFactor: code !== '' });
    }
    if (result.status === 'two_factor_required') {
      return { form: 'signIn', email, twoFactor: true, message: null };
    }
    redirect(303, nextPage(event.url) ?? '/account');
  },
} satisfies Actions;
