import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/trpc';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (!locals.context.auth) redirect(303, '/sign-in');
};

/** Signing out is a POST (a link or an image elsewhere must not be able to sign you out). */
export const actions: Actions = {
  default: async (event) => {
    await serverCaller(event).auth.signOut();
    redirect(303, '/sign-in?notice=signed-out');
  },
};
