import { redirect } from '@sveltejs/kit';
import { failWith } from '$lib/server/problems';
import { serverCaller } from '$lib/server/trpc';
import type { Actions, PageServerLoad } from './$types';

export const load = (({ locals }) => {
  if (locals.context.auth) redirect(303, '/account');
}) satisfies PageServerLoad;

export const actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    try {
      // The same answer for every email: the link (or a note) is in the mailbox.
      const { email: sentTo } = await serverCaller(event).auth.signUp({ email, password });
      return { sent: true as const, sentTo };
    } catch (error) {
      return failWith('signUp', error, { email });
    }
  },
} satisfies Actions;
