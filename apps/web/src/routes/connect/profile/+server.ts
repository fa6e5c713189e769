import { appleProfile, appleProfileFileName } from '@sidekey/core';
import { getRuntime } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

/**
 * Spends a phone link on the Apple configuration profile itself: iOS installs a profile it
 * downloads (Settings › Profile Downloaded), so this answers with the file, not a page.
 */
export const POST: RequestHandler = async (event) => {
  const form = await event.request.formData().catch(() => null);
  const token = String(form?.get('token') ?? '').trim();
  const { sidekey, config } = await getRuntime();
  const link = await sidekey.connectLinks.redeem(token);
  const xml = link
    ? appleProfile({ ...link, endpoints: config.connect, organization: event.url.hostname })
    : null;
  if (!link || !xml) {
    return new Response(
      'This code was already used or has expired. On the computer, revoke that password and generate a new one.',
      { status: link ? 404 : 410, headers: { 'content-type': 'text/plain; charset=utf-8' } },
    );
  }
  return new Response(xml, {
    headers: {
      'content-type': 'application/x-apple-aspen-config',
      'content-disposition': `attachment; filename="${appleProfileFileName(link.label)}"`,
      'cache-control': 'no-store',
    },
  });
};
