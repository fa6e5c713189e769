import { redirect } from '@sveltejs/kit';
import { failMissing, failWith } from '$lib/server/problems';
import { serverCaller } from '$lib/server/trpc';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    // The token arrives in the POST body (read from the link's fragment, or pasted): never in a URL.
    const token = String(form.get('token') ?? '').trim();
    if (!token) {
      return failMissing('confirmSignUp', 'token', 'Paste the code from the link in your email.');
    }
    try {
      await serverCaller(event).auth.confirmSignUp({ token });
    } catch (error) {
      return failWith('confirmSignUp', error);
    }
    redirect(303, '/account?welcome');
  },
};
