import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  email: locals.context.auth?.account.email ?? null,
});
