// Production entry: the SvelteKit build behind a plain node:http server, so protocol
// adapter routes can answer without SvelteKit's per-request work, and so the URL is printed.
//
// Start-up order, so every mistake is told in a sentence within seconds and before the
// embedded database is touched: check the configuration, bind the port, open the database
// (taking the data directory's lock), print the URL. Any failure: one sentence on stderr,
// exit 1, no stack trace.
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

/** How long a graceful stop waits for in-flight requests before closing what is left. */
const DRAIN_MS = 2_000;

/** Sidekey's own start-up errors are sentences already; anything else keeps its first line. */
const SENTENCE_ERRORS = new Set(['ConfigError', 'DataDirLockedError', 'DatabaseUnavailableError']);
function fail(error) {
  const message = SENTENCE_ERRORS.has(error?.name)
    ? error.message
    : `Sidekey could not start: ${String(error?.message ?? error).split('\n')[0]}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

globalThis[Symbol.for('sidekey.managedStart')] = true;
let handler, startup, config;
try {
  ({ handler } = await import('./build/handler.js'));
  /** Registered by the bundle (see src/lib/server/runtime.ts). */
  startup = globalThis[Symbol.for('sidekey.startup')];
  config = startup.readConfig();
} catch (error) {
  fail(error);
}
/** Plain-HTTP routes registered by the bundle (see src/lib/server/runtime.ts). */
const fastRoutes = () => globalThis[Symbol.for('sidekey.fastRoutes')];
/** The trusted-proxy rule, registered by the bundle: (req) => address or null. */
const clientAddressOf = () => globalThis[Symbol.for('sidekey.clientAddress')];

let stopping = false;
/**
 * Slow clients cannot hold connections for minutes (Node's defaults: 60 s for headers,
 * 300 s for a request): every request Sidekey takes is small (a verify body is at most
 * 8 KiB, a form a few hundred bytes), so headers get 10 s and the whole request 20 s, after
 * which Node answers 408 and closes. Checked every second rather than every 30 s. An event
 * stream is unaffected: its request is complete the moment its headers are.
 */
const SLOW_CLIENT_LIMITS = {
  headersTimeout: 10_000,
  requestTimeout: 20_000,
  connectionsCheckingInterval: 1_000,
};
const server = createServer(SLOW_CLIENT_LIMITS, (req, res) => {
  req.headers[PROTOCOL_HEADER] = req.socket.encrypted ? 'https' : 'http';
  // Without the bundle's rule (never expected), the peer itself: trusting no one is safe.
  req.headers[ADDRESS_HEADER] = (clientAddressOf()?.(req) ?? req.socket.remoteAddress) || '';
  // While stopping, each answer ends its connection, so kept-alive clients reconnect elsewhere.
  if (stopping) res.setHeader('connection', 'close');
  const fast = fastRoutes();
  if (fast && fast(req, res)) return;
  handler(req, res);
});

await new Promise((resolve) => {
  server.once('error', (error) => {
    const where = `${config.host}:${config.port}`;
    if (error.code === 'EADDRINUSE')
      fail({
        name: 'ConfigError',
        message: `Port ${where} is already in use (is Sidekey already running?); stop that process or set PORT to a free port.`,
      });
    if (error.code === 'EACCES')
      fail({
        name: 'ConfigError',
        message: `Port ${where} needs privileges this user lacks; use a port above 1023 (PORT) behind a proxy.`,
      });
    fail(error);
  });
  server.listen(config.port, config.host, resolve);
});

try {
  await startup.open();
} catch (error) {
  server.close();
  fail(error);
}

const { port: bound } = server.address();
const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
process.stdout.write(`Sidekey is running at http://${shown}:${bound}/\n`);

/**
 * Graceful stop: refuse new connections, let in-flight requests finish (idle kept-alive
 * connections are closed at once, busy ones after their answer), then close the database
 * — releasing the embedded data directory — and exit 0. Event streams (service.events)
 * never end on their own; after DRAIN_MS they are cut, and their clients reconnect and resume.
 */
async function stop() {
  if (stopping) return;
  stopping = true;
  const drained = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  await drained;
  clearTimeout(cut);
  try {
    await startup.close();
  } catch (error) {
    process.stderr.write(`Closing the database failed: ${error.message}\n`);
    process.exit(1);
  }
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, stop);
