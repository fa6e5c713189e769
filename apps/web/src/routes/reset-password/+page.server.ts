import { redirect } from '@sveltejs/kit';
import { failMissing, failWith } from '$lib/server/problems';
import { serverCaller } from '$lib/server/trpc';
import type { Actions } from './$types';

export const actions = {
  default: async (event) => {
    const form = await event.request.formData();
    // The token arrives in the POST body (read from the link's fragment, or pasted): never in a URL.
    const token = String(form.get('token') ?? '').trim();
    const newPassword = String(form.get('newPassword') ?? '');
    if (!token) {
      return failMissing('reset', 'token', 'Paste the code from the reset link in your email.');
    }
    try {
      await serverCaller(event).account.resetPassword({ token, newPassword });
    } catch (error) {
      return failWith('reset', error);
    }
    redirect(303, '/sign-in?notice=password-reset');
  },
} satisfies Actions;
