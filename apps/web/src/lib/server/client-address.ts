import type { IncomingMessage } from 'node:http';
import type { RequestEvent } from '@sveltejs/kit';
import proxyAddr from 'proxy-addr';

/**
 * Which peers may tell us the client's address (SIDEKEY_TRUSTED_PROXIES, a comma-separated
 * CIDR list such as `127.0.0.1/32,::1/128,10.0.0.0/8`). Default: none, so a forwarding
 * header is ignored and every throttle keys on the connection's own address. Parsed and
 * matched by `proxy-addr` (jshttp; what Express's `trust proxy` runs on): it handles
 * IPv4-mapped IPv6 and the rightmost-untrusted-hop walk, which are easy to get wrong by hand.
 */
export function parseTrustedProxies(raw: string | undefined): (address: string) => boolean {
  const list = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    const trust = proxyAddr.compile(list);
    return (address) => trust(address, 0);
  } catch (error) {
    throw new Error(
      `SIDEKEY_TRUSTED_PROXIES must be a comma-separated list of addresses or CIDR ranges, such as 127.0.0.1/32,10.0.0.0/8 (${(error as Error).message}).`,
      { cause: error },
    );
  }
}

/** Read once at start: a bad list stops the server instead of trusting the wrong hosts. */
const trusted = parseTrustedProxies(process.env.SIDEKEY_TRUSTED_PROXIES);

/**
 * The client's address: the peer's, unless the peer is a trusted proxy; then the
 * rightmost X-Forwarded-For hop that is not itself trusted (everything left of it could
 * have been written by the client). The one rule for every entry point.
 */
export function resolveClientAddress(
  peer: string | null | undefined,
  forwardedFor: string | null | undefined,
  isTrusted: (address: string) => boolean = trusted,
): string | null {
  if (!peer) return null;
  const request = {
    socket: { remoteAddress: peer },
    connection: { remoteAddress: peer },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  } as unknown as IncomingMessage;
  const address = proxyAddr(request, (candidate) => isTrusted(candidate));
  return normaliseMapped(address);
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is 192.0.2.1 everywhere else. */
function normaliseMapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * Set by server.js on every request, after computing the address with
 * `resolveClientAddress`; any copy a client sends is overwritten. adapter-node reads it
 * through ADDRESS_HEADER, so SvelteKit's getClientAddress() gives the same answer.
 */
export const CLIENT_ADDRESS_HEADER = 'x-sidekey-client-ip';

/** A node:http request's client address (server.js stamps it on every request). */
export function nodeClientAddress(req: IncomingMessage): string | null {
  const forwarded = req.headers['x-forwarded-for'];
  return resolveClientAddress(
    req.socket.remoteAddress,
    Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
  );
}

/**
 * The caller's address as SvelteKit sees it. In production server.js has resolved it
 * (adapter-node's ADDRESS_HEADER points at the stamped header); under `vite dev` the
 * same rule is applied here to the peer address.
 */
export function clientAddress(event: RequestEvent): string | null {
  try {
    const address = event.getClientAddress();
    if (process.env.ADDRESS_HEADER === CLIENT_ADDRESS_HEADER) return address || null;
    return resolveClientAddress(address, event.request.headers.get('x-forwarded-for'));
  } catch {
    return null;
  }
}
