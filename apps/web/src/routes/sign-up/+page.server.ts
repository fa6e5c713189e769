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
      await serverCaller(event).auth.signUp({ email, password });
    } catch (error) {
      return failWith('signUp', error, { email });
    }
    redirect(303, '/account?welcome');
  },
} satisfies Actions;
