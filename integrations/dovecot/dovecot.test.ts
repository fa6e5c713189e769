import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dovecotRevocationHandler,
  startRelyingService,
  type RunningRelyingService,
} from '@sidekey/dovecot';
import { dovecot } from '../testing/binaries.ts';
import { startDovecot, type RunningDovecot } from '../testing/dovecot.ts';
import { startSeededSidekey, type SidekeyForIntegration } from '../testing/sidekey.ts';

const binary = dovecot();

describe.skipIf(binary.skip)('Dovecot with the Sidekey Lua passdb', () => {
  let sidekey: SidekeyForIntegration;
  let server: RunningDovecot;
  let relyingService: RunningRelyingService;
  const handled: string[] = [];
  const clients: ImapFlow[] = [];

  beforeAll(async () => {
    sidekey = await startSeededSidekey(
      { phone: ['mail'], laptop: ['mail'], calendar: ['calendars'] },
      'dovecot-imap',
    );
    server = await startDovecot(binary.path, sidekey.sidekey.url, sidekey.serviceKey);
    relyingService = startRelyingService({
      url: sidekey.sidekey.url,
      serviceKey: sidekey.serviceKey,
      onRevocation: dovecotRevocationHandler({
        doveadm: ['doveadm', '-c', server.config],
        log: (line) => handled.push(line),
      }),
      log: (line) => handled.push(line),
    });
    await relyingService.ready;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.logout().catch(() => client.close())));
    relyingService?.stop();
    await server?.stop();
    await sidekey?.stop();
  });

  function imapClient(user: string, password: string) {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: server.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
    });
    clients.push(client);
    return client;
  }

  /** Logs in and answers how long the login took, or the server's refusal. */
  async function login(user: string, password: string) {
    const client = imapClient(user, password);
    const started = performance.now();
    try {
      await client.connect();
      return { client, ms: performance.now() - started };
    } catch (error) {
      const { authenticationFailed, serverResponseCode } = error as {
        authenticationFailed?: boolean;
        serverResponseCode?: string;
      };
      return { refused: { authenticationFailed, serverResponseCode } };
    }
  }

  it('logs in with the right app password, and the mailbox opens', async () => {
    const { password } = sidekey.appPasswords.phone!;
    const first = await login(sidekey.owner.email, password);
    expect(first.client, server.log()).toBeDefined();
    const mailbox = await first.client!.mailboxOpen('INBOX');
    expect(mailbox.path).toBe('INBOX');
    await first.client!.logout();

    // The next login is answered from Dovecot's auth cache (sidekey.conf): no Sidekey round trip.
    const again = await login(sidekey.owner.email, password);
    expect(again.client).toBeDefined();
    await again.client!.logout();
    console.warn(
      `IMAP login through Sidekey: ${first.ms!.toFixed(1)} ms; from the auth cache: ${again.ms!.toFixed(1)} ms`,
    );
  });

  it('kicks an open session when its app password is revoked, and refuses it from then on', async () => {
    const laptop = sidekey.appPasswords.laptop!;
    const session = await login(sidekey.owner.email, laptop.password);
    expect(session.client, server.log()).toBeDefined();
    await session.client!.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => session.client!.once('close', () => resolve()));

    const revokedAt = performance.now();
    await sidekey.revoke(laptop.id);
    // Sidekey → service.events → sidekey-dovecot → doveadm kick.
    await closed;
    const kickMs = performance.now() - revokedAt;
    console.warn(`revocation to kicked IMAP session: ${kickMs.toFixed(0)} ms`);
    await relyingService.idle();
    expect(handled.join('\n')).toContain(`${sidekey.owner.email} revoked`);

    // The successful login above sits in the auth cache; the relying service flushed it, so
    // the revoked password is checked again, and refused.
    const retry = await login(sidekey.owner.email, laptop.password);
    expect(retry.refused).toEqual({
      authenticationFailed: true,
      serverResponseCode: 'AUTHENTICATIONFAILED',
    });

    // The owner's other app keeps working.
    const phone = await login(sidekey.owner.email, sidekey.appPasswords.phone!.password);
    expect(phone.client).toBeDefined();
  });

  it('refuses a wrong password and an app password without the mail scope', async () => {
    const { password } = sidekey.appPasswords.phone!;
    const wrong = `${password.slice(0, -1)}${password.endsWith('a') ? 'b' : 'a'}`;
    expect((await login(sidekey.owner.email, wrong)).refused?.authenticationFailed).toBe(true);
    const calendarOnly = sidekey.appPasswords.calendar!.password;
    expect((await login(sidekey.owner.email, calendarOnly)).refused?.authenticationFailed).toBe(
      true,
    );
  });

  it('answers a temporary failure, and tells the operator why, when the service key is refused', async () => {
    const misconfigured = await startDovecot(
      binary.path,
      sidekey.sidekey.url,
      `sksvc_${'x'.repeat(43)}`,
    );
    try {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: misconfigured.port,
        secure: false,
        doSTARTTLS: false,
        auth: { user: sidekey.owner.email, pass: sidekey.appPasswords.phone!.password },
        logger: false,
      });
      const refused = await client.connect().then(
        () => 'logged in',
        (error: { serverResponseCode?: string }) => error.serverResponseCode,
      );
      expect(refused).toBe('UNAVAILABLE');
      expect(misconfigured.log()).toContain(
        'sidekey: verification failed: HTTP 401 (service_unauthorized)',
      );
    } finally {
      await misconfigured.stop();
    }
  });

  it('never lets anyone in when Sidekey is unreachable: a temporary failure instead', async () => {
    // Stop the relying service first: it would only keep retrying a Sidekey that is gone.
    relyingService.stop();
    await sidekey.sidekey.stop();
    // A user whose success is not in the auth cache must reach Sidekey, and cannot.
    const result = await login('someone-else@example.org', sidekey.appPasswords.phone!.password);
    expect(result.refused?.serverResponseCode).toBe('UNAVAILABLE');
  });

  it('never writes an app password or the service key to its log', () => {
    const log = server.log();
    for (const { password } of Object.values(sidekey.appPasswords))
      expect(log).not.toContain(password);
    expect(log).not.toContain(sidekey.serviceKey);
  });
});
