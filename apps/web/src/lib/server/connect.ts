import {
  appleAccounts,
  appleProfile,
  appleProfileFileName,
  endpointsForScopes,
  qrCodeSvg,
  undeclaredScopes,
  type AppPasswordScope,
  type ConnectEndpoints,
} from '@sidekey/core';
import type { RequestEvent } from '@sveltejs/kit';
import type { ServerSetting } from '$lib/connect/settings';
import { getRuntime } from './runtime';

export interface ConnectTarget {
  accountId: string;
  email: string;
  credentialId: string;
  label: string;
  scopes: AppPasswordScope[];
  password: string;
}

/** The declared servers a password with these scopes reaches, as the page lists them. */
export function serverSettings(
  endpoints: ConnectEndpoints,
  scopes: readonly AppPasswordScope[],
): ServerSetting[] {
  return endpointsForScopes(endpoints, scopes).map(({ service, endpoint }) =>
    endpoint.kind === 'mail'
      ? { service, host: endpoint.host, port: endpoint.port, security: endpoint.security }
      : { service, host: endpoint.host, port: endpoint.port, security: 'tls', url: endpoint.url },
  );
}

/** The Apple profile as a download link (a data: URL: nothing to fetch, nothing kept). */
export function profileDownload(
  endpoints: ConnectEndpoints,
  target: Omit<ConnectTarget, 'accountId'>,
  organization: string,
) {
  const xml = appleProfile({ ...target, endpoints, organization });
  if (!xml) return null;
  return {
    accounts: appleAccounts(endpoints, target.scopes),
    fileName: appleProfileFileName(target.label),
    href: `data:application/x-apple-aspen-config;base64,${Buffer.from(xml).toString('base64')}`,
  };
}

/**
 * Everything the page shows beside a password just generated: the username, the servers,
 * the profile for Apple devices, and a QR code opening a single-use link to the phone. The
 * link's token travels only in the URL's fragment, which browsers never send to a server.
 */
export async function connectKit(event: RequestEvent, target: ConnectTarget) {
  const { config, sidekey } = await getRuntime();
  const endpoints = config.connect;
  const organization = event.url.hostname;
  const { token, expiresAt } = await sidekey.connectLinks.create(target);
  const link = `${event.url.origin}/connect#t=${token}`;
  const qr = await qrCodeSvg(link);
  return {
    username: target.email,
    scopes: target.scopes,
    settings: serverSettings(endpoints, target.scopes),
    undeclared: undeclaredScopes(endpoints, target.scopes),
    profile: profileDownload(endpoints, target, organization),
    phone: {
      link,
      expiresAt,
      qrImage: `data:image/svg+xml;base64,${Buffer.from(qr).toString('base64')}`,
    },
  };
}

export type ConnectKit = Awaited<ReturnType<typeof connectKit>>;
