import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signUpOwner } from '@sidekey/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededStore, type SeededStore } from './seeded.ts';
import { startSidekey, type RunningSidekey } from './start.ts';

/**
 * Sidekey on more than one machine, on existing engines: three nodes behind Debian's
 * nginx as a load balancer, on one Postgres behind Debian's PgBouncer in transaction
 * pooling mode. The nodes' LISTEN goes straight to Postgres (SIDEKEY_LISTEN_DATABASE_URL):
 * a transaction pooler cannot carry a session-long LISTEN.
 */
const NGINX = '/usr/sbin/nginx';
const PGBOUNCER = '/usr/sbin/pgbouncer';
const serverUrl = process.env.DATABASE_URL;
const missing = !serverUrl
  ? 'three processes need Postgres (set DATABASE_URL)'
  : !existsSync(NGINX)
    ? `no ${NGINX} (apt-get install nginx)`
    : !existsSync(PGBOUNCER)
      ? `no ${PGBOUNCER} (apt-get install pgbouncer)`
      : null;
if (missing) console.warn(`multi-node.test.ts: skipped — ${missing}.`);

const CREDENTIALS = 12;
const WORKERS = 10;
let store: SeededStore;
let dir = '';
let nodes: RunningSidekey[] = [];
let nginx: ChildProcess | undefined;
let pgbouncer: ChildProcess | undefined;
let balancer = '';
const seed = {
  email: '',
  sessionToken: '',
  serviceKey: '',
  credentials: [] as { id: string; password: string }[],
};

beforeAll(async () => {
  if (missing) return;
  store = await seededStore();
  const { sidekey, database } = await store.open();
  const owner = await signUpOwner(sidekey);
  seed.email = owner.email;
  seed.sessionToken = owner.sessionToken;
  seed.serviceKey = (await sidekey.serviceKeys.create('multi-node', { actor: 'operator' })).key;
  for (let i = 0; i < CREDENTIALS; i++) {
    const generated = await sidekey.appPasswords.generate(
      owner.accountId,
      { label: `Device ${i}` },
      { actor: 'owner' },
    );
    seed.credentials.push({ id: generated.id, password: generated.password });
  }
  await sidekey.close();
  void database;

  dir = mkdtempSync(join(tmpdir(), 'sidekey-multi-node-'));
  chmodSync(dir, 0o755); // PgBouncer refuses to run as root: it runs as postgres and reads here
  const direct = new URL(store.env.DATABASE_URL!);
  const pooled = new URL(direct);
  pooled.port = String(await freePort());
  writeFileSync(join(dir, 'userlist.txt'), `"${direct.username || 'postgres'}" ""\n`, {
    mode: 0o644,
  });
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${direct.hostname} port=${direct.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${pooled.port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 20',
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  pgbouncer = spawn(
    PGBOUNCER,
    [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(Number(pooled.port), 'PgBouncer');

  const env = {
    ...store.env,
    DATABASE_URL: pooled.toString(),
    SIDEKEY_LISTEN_DATABASE_URL: direct.toString(),
    // A long cache on purpose: only the NOTIFY can make a node refuse within a second.
    SIDEKEY_VERIFY_CACHE_MS: '60000',
  };
  nodes = await Promise.all([startSidekey(env), startSidekey(env), startSidekey(env)]);

  const port = await freePort();
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(dir, 'temp', sub), { recursive: true });
  }
  const upstreams = nodes
    .map((node) => `        server ${new URL(node.url).host} max_fails=1 fail_timeout=30s;`)
    .join('\n');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path ${dir}/temp/body;
    proxy_temp_path ${dir}/temp/proxy;
    fastcgi_temp_path ${dir}/temp/fastcgi;
    uwsgi_temp_path ${dir}/temp/uwsgi;
    scgi_temp_path ${dir}/temp/scgi;
    upstream sidekey {
${upstreams}
        keepalive 32;
    }
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://sidekey;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # A node that dies or refuses: the request goes to the next one.
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
            proxy_connect_timeout 1s;
            add_header X-Upstream $upstream_addr always;
        }
    }
}
`,
  );
  nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: 'ignore',
  });
  await waitForPort(port, 'nginx');
  balancer = `http://127.0.0.1:${port}/`;
}, 180_000);

afterAll(async () => {
  nginx?.kill('SIGTERM');
  // The node killed by the last test has exited already; stop() waits only for live ones.
  await Promise.all(
    nodes.filter((node) => node.process.signalCode === null).map((node) => node.stop()),
  );
  pgbouncer?.kill('SIGTERM');
  await store?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function basic(password: string) {
  return {
    authorization: `Basic ${Buffer.from(`${seed.email}:${password}`).toString('base64')}`,
    'x-sidekey-service': 'imap',
    'x-sidekey-service-key': seed.serviceKey,
    'x-sidekey-client-address': '198.51.100.7',
  };
}

/** One verification through `base` (nginx or one node): the status and which node answered. */
async function verifyAt(base: string, password: string) {
  const response = await fetch(new URL('/auth/basic', base), { headers: basic(password) });
  await response.arrayBuffer();
  return {
    status: response.status,
    reason: response.headers.get('x-sidekey-reason'),
    upstream: response.headers.get('x-upstream'),
  };
}

/** WORKERS loops verifying the given credentials through nginx until `stop` resolves. */
function loadThroughNginx(passwords: string[], stop: Promise<unknown>) {
  let done = false;
  void stop.then(() => (done = true));
  const statuses = new Map<number | string, number>();
  const byNode = new Map<string, number>();
  let next = 0;
  const workers = Array.from({ length: WORKERS }, async () => {
    while (!done) {
      const password = passwords[next++ % passwords.length]!;
      try {
        const { status, upstream } = await verifyAt(balancer, password);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        // With a retry, $upstream_addr lists every node tried; the last one answered.
        const node = upstream?.split(', ').at(-1) ?? 'none';
        byNode.set(node, (byNode.get(node) ?? 0) + 1);
      } catch {
        statuses.set('network error', (statuses.get('network error') ?? 0) + 1);
      }
    }
  });
  return Promise.all(workers).then(() => ({ statuses, byNode }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(missing)('three Sidekey nodes behind nginx, on Postgres through PgBouncer', () => {
  it('spreads verify load over every node, without an error', async () => {
    const passwords = seed.credentials.slice(0, 6).map((c) => c.password);
    const { statuses, byNode } = await loadThroughNginx(passwords, sleep(3_000));
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(50);
    expect(Object.fromEntries(statuses)).toEqual({ 204: total });
    for (const node of nodes) {
      expect(byNode.get(new URL(node.url).host) ?? 0, node.url).toBeGreaterThan(total / 10);
    }
  });

  it('a revocation on any node is refused on every other node within a second, under load', async () => {
    const load = seed.credentials.slice(0, 6).map((c) => c.password);
    let stopLoad!: () => void;
    const loading = loadThroughNginx(load, new Promise<void>((resolve) => (stopLoad = resolve)));
    const delays: number[] = [];
    try {
      for (const [i, revoker] of nodes.entries()) {
        const target = seed.credentials[6 + i]!;
        // Every node has it cached: only the NOTIFY can make them refuse it.
        for (const node of nodes)
          expect((await verifyAt(node.url, target.password)).status).toBe(204);
        const revoke = await fetch(new URL('/api/trpc/appPasswords.revoke', revoker.url), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            cookie: `sidekey_session=${seed.sessionToken}`,
          },
          body: JSON.stringify({ json: { id: target.id } }),
        });
        expect(revoke.status).toBe(200);
        const revokedAt = performance.now();
        await Promise.all(
          nodes
            .filter((node) => node !== revoker)
            .map(async (node) => {
              for (;;) {
                const { status, reason } = await verifyAt(node.url, target.password);
                if (status === 401) {
                  expect(reason).toBe('revoked');
                  delays.push(performance.now() - revokedAt);
                  return;
                }
                if (performance.now() - revokedAt > 5_000)
                  throw new Error(`${node.url} still verifies`);
                await sleep(10);
              }
            }),
        );
      }
    } finally {
      stopLoad();
    }
    const { statuses } = await loading;
    expect([...statuses.keys()]).toEqual([204]);
    delays.sort((a, b) => a - b);
    const p99 = delays[Math.ceil(delays.length * 0.99) - 1]!;
    expect(delays).toHaveLength(6);
    process.stdout.write(
      `multi-node: revocation refused on the other nodes after ${delays.map((d) => Math.round(d)).join(', ')} ms\n`,
    );
    expect(p99).toBeLessThan(1_000);
  });

  it('one node killed mid-load: nginx sends its requests to the others, none fails beyond its in-flight ones', async () => {
    const passwords = seed.credentials.slice(0, 6).map((c) => c.password);
    const victim = nodes[2]!;
    const loading = loadThroughNginx(passwords, sleep(4_000));
    await sleep(1_500);
    victim.process.kill('SIGKILL');
    const { statuses, byNode } = await loading;
    process.stdout.write(
      `multi-node: with one node killed: ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
    const failed = [...statuses]
      .filter(([status]) => status !== 204)
      .reduce((a, [, n]) => a + n, 0);
    // At most the requests the killed node held when it died: one per worker.
    expect(failed).toBeLessThanOrEqual(WORKERS);
    expect(statuses.get(204) ?? 0).toBeGreaterThan(50);
    for (const node of nodes.slice(0, 2)) {
      expect(byNode.get(new URL(node.url).host) ?? 0).toBeGreaterThan(0);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, what: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}`);
    await sleep(50);
  }
}
