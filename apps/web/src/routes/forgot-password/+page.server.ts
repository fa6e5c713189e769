import { failWith } from '$lib/server/problems';
import { serverCaller } from '$lib/server/trpc';
import type { Actions } from './$types';

export const actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = String(form.get('email') ?? '');
    try {
      await serverCaller(event).account.requestPasswordReset({ email });
    } catch (error) {
      return failWith('forgot', error, { email });
    }
    // The same answer whether or not the account exists (no account discovery).
    return { form: 'forgot', sent: true, email };
  },
} satisfies Actions;
