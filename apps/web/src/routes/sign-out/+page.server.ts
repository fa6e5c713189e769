import { redirect } from '@sveltejs/kit';
import { serverCaller } from '$lib/server/trpc';
import type { Actions, PageServerLoad } from './$types';

export const load = (({ locals }) => {
  if (!locals.context.auth) redirect(303, '/sign-in');
}) satisfies PageServerLoad;

/** Signing out is a POST (a link or an image elsewhere must not be able to sign you out). */
export const actions = {
  default: async (event) => {
    await serverCaller(event).auth.signOut();
    redirect(303, '/sign-in?notice=signed-out');
  },
} satisfies Actions;
