// Production entry: the SvelteKit build behind a plain node:http server, so protocol
// adapter routes can answer without SvelteKit's per-request work, and so the URL is printed.
import { createServer } from 'node:http';

// Without ORIGIN, adapter-node assumes https, which would mark cookies Secure on plain
// http and fail SvelteKit's origin check. This server knows the real protocol: it says
// so in a header of its own, overwriting whatever a client sent under that name.
const PROTOCOL_HEADER = 'x-sidekey-protocol';
if (!process.env.ORIGIN) process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;

// The client's address, the same way: resolved here from the peer and X-Forwarded-For
// (only when the peer is in SIDEKEY_TRUSTED_PROXIES; src/lib/server/client-address.ts),
// and written over any client copy of this header, which adapter-node then reads for
// getClientAddress(). Its own ADDRESS_HEADER/XFF_DEPTH trust a hop count, not a network.
const ADDRESS_HEADER = 'x-sidekey-client-ip';
process.env.ADDRESS_HEADER = ADDRESS_HEADER;

const { handler } = await import('./build/handler.js');
/** Plain-HTTP routes registered by the bundle (see src/lib/server/runtime.ts). */
const fastRoutes = () => globalThis[Symbol.for('sidekey.fastRoutes')];
/** The trusted-proxy rule, registered by the bundle: (req) => address or null. */
const clientAddressOf = () => globalThis[Symbol.for('sidekey.clientAddress')];

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';

const server = createServer((req, res) => {
  req.headers[PROTOCOL_HEADER] = req.socket.encrypted ? 'https' : 'http';
  // Without the bundle's rule (never expected), the peer itself: trusting no one is safe.
  req.headers[ADDRESS_HEADER] = (clientAddressOf()?.(req) ?? req.socket.remoteAddress) || '';
  const fast = fastRoutes();
  if (fast && fast(req, res)) return;
  handler(req, res);
});

server.listen(port, host, () => {
  const { port: bound } = server.address();
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  process.stdout.write(`Sidekey is running at http://${shown}:${bound}/\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    // Event streams (service.events) never end on their own; their clients reconnect and resume.
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  });
}
