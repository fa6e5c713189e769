import type { LayoutServerLoad } from './$types';

export const load = (({ locals }) => ({
  email: locals.context.auth?.account.email ?? null,
})) satisfies LayoutServerLoad;
