import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load = (({ locals }) => {
  if (locals.context.auth) redirect(303, '/account');
}) satisfies PageServerLoad;
