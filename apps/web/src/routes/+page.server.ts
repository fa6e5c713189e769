import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => ({
  email: locals.context.auth?.account.email ?? null,
});
