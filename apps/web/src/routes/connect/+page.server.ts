import { fail } from '@sveltejs/kit';
import { getRuntime } from '$lib/server/runtime';
import { profileDownload, serverSettings } from '$lib/server/connect';
import { undeclaredScopes } from '@sidekey/core';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
  const { config } = await getRuntime();
  const { imap, pop3, smtp, caldav, carddav } = config.connect;
  // Offer the profile only where one can be made: a click on it spends the link.
  return { appleProfiles: Boolean(((imap || pop3) && smtp) || caldav || carddav) };
};

const REFUSED =
  'This code was already used or has expired. On the computer, revoke that password and generate a new one to get a fresh code.';

/**
 * The phone's side of the QR code. The link's token arrives in the URL fragment (never
 * sent to a server, so never in an access log); the page posts it once, and the link is
 * spent: a second scan, or one after ten minutes, is refused.
 */
export const actions: Actions = {
  show: async (event) => {
    const token = String((await event.request.formData()).get('token') ?? '').trim();
    const { sidekey, config } = await getRuntime();
    const link = await sidekey.connectLinks.redeem(token);
    if (!link) return fail(400, { message: REFUSED });
    return {
      shown: {
        label: link.label,
        username: link.email,
        password: link.password,
        scopes: link.scopes,
        settings: serverSettings(config.connect, link.scopes),
        undeclared: undeclaredScopes(config.connect, link.scopes),
        profile: profileDownload(config.connect, link, event.url.hostname),
      },
    };
  },
};
