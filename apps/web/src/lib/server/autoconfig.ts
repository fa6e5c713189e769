import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { thunderbirdAutoconfig } from '@sidekey/core';
import { getRuntime } from './runtime';

// A domain as RFC 1123 allows it; anything else in ?emailaddress= is ignored.
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * Thunderbird's autoconfig document from the declared servers. Thunderbird sends the
 * address being set up (?emailaddress=); its domain names the provider, else this host.
 */
export async function autoconfigResponse(event: RequestEvent): Promise<Response> {
  const { config } = await getRuntime();
  const address = event.url.searchParams.get('emailaddress') ?? '';
  const fromAddress = address.includes('@') ? address.split('@').pop()!.toLowerCase() : '';
  const domain = DOMAIN.test(fromAddress)
    ? fromAddress
    : event.url.hostname.replace(/^autoconfig\./, '');
  const xml = thunderbirdAutoconfig(config.connect, { domain, displayName: domain });
  if (!xml) error(404, 'No mail servers are declared here.');
  return new Response(xml, {
    headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'max-age=3600' },
  });
}

/**
 * RFC 6764 §5: /.well-known/caldav and /.well-known/carddav redirect to the declared
 * server's context path, so apps find it from the host name alone.
 */
export async function davRedirect(service: 'caldav' | 'carddav'): Promise<never> {
  const { config } = await getRuntime();
  const endpoint = config.connect[service];
  if (!endpoint)
    error(404, `No ${service === 'caldav' ? 'CalDAV' : 'CardDAV'} server is declared here.`);
  redirect(301, endpoint.url);
}
