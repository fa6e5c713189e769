import type { AddressInfo } from 'node:net';
import { outbox } from '@sidekey/db';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, onPostgresServer, signUpOwner, type TestSidekey } from '../testing.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on a free loopback port, keeping what it receives. */
async function startSmtpListener() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const anonymous = { actor: 'anonymous' as const, address: '198.51.100.9' };

/** Quoted-printable soft line breaks undone, so a long link reads as one string. */
const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

describe('with SMTP_URL set', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
  let t: TestSidekey;
  beforeAll(async () => {
    smtp = await startSmtpListener();
    t = await createTestSidekey({
      mail: { smtpUrl: smtp.url, from: 'Sidekey <sidekey@example.org>' },
      origin: 'https://sidekey.example.org',
    });
  });
  afterAll(async () => {
    await t.dispose();
    await smtp.close();
  });

  it('delivers the reset link, records sent_at, and keeps the link out of the log and the stored copy', async () => {
    const o = await signUpOwner(t.sidekey);
    await t.sidekey.passwords.requestPasswordReset({ email: o.email }, anonymous);
    await t.sidekey.mailer.settled();

    const mail = smtp.received.find(
      (m) => m.to.includes(o.email) && /reset your password/.test(m.raw),
    );
    expect(mail).toBeDefined();
    expect(mail!.from).toBe('sidekey@example.org');
    const token = unfold(mail!.raw).match(/reset-password#token=([A-Za-z0-9_-]{43})/)?.[1];
    expect(token).toBeDefined();

    const [stored] = await t.sidekey.mailer.list({ limit: 1 });
    expect(stored!.sentAt).toBeInstanceOf(Date);
    expect(stored!.lastError).toBeNull();
    expect(stored!.body).not.toContain(token);
    expect(stored!.body).toContain('[removed once sent]');
    expect(t.logLines.join('\n')).not.toContain(token!);

    // The delivered link works.
    await expect(
      t.sidekey.passwords.resetPassword(
        { token: token!, newPassword: 'mailed and reset fine' },
        anonymous,
      ),
    ).resolves.toEqual({ revokedAppPasswords: 0 });
  });

  it('sends the security notices: app password created, password changed with the count revoked', async () => {
    const o = await signUpOwner(t.sidekey);
    const owner = { actor: 'owner' as const };
    await t.sidekey.appPasswords.generate(o.accountId, { label: 'Thunderbird' }, owner);
    await t.sidekey.passwords.changePassword(
      o.accountId,
      o.session.id,
      { currentPassword: o.password, newPassword: 'changed it just now' },
      owner,
    );
    await t.sidekey.mailer.settled();
    const mine = smtp.received.filter((m) => m.to.includes(o.email)).map((m) => unfold(m.raw));
    expect(
      mine.some((raw) => /a new app password was created/.test(raw) && raw.includes('Thunderbird')),
    ).toBe(true);
    expect(
      mine.some(
        (raw) =>
          /your password was changed/.test(raw) && raw.includes('1 app password was revoked'),
      ),
    ).toBe(true);
    // No message carries a secret.
    expect(mine.join('\n')).not.toMatch(/skap-/);
  });
});

describe('when SMTP cannot be reached', () => {
  it('keeps the message in the outbox with the error, and the action still succeeds', async () => {
    const smtp = await startSmtpListener();
    await smtp.close(); // a port that now refuses connections
    const t = await createTestSidekey({ mail: { smtpUrl: smtp.url } });
    try {
      const o = await signUpOwner(t.sidekey);
      await expect(
        t.sidekey.passwords.requestPasswordReset({ email: o.email }, anonymous),
      ).resolves.toEqual({ sent: true });
      await t.sidekey.mailer.settled();
      const [stored] = await t.database.db.select().from(outbox);
      expect(stored!.sentAt).toBeNull();
      expect(stored!.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(t.logLines.join('\n')).not.toMatch(/#token=/);
    } finally {
      await t.dispose();
    }
  });
});

describe('without SMTP_URL', () => {
  it('leaves mail in the outbox and logs a line pointing at it (with the link only on the embedded default)', async () => {
    const t = await createTestSidekey();
    try {
      const o = await signUpOwner(t.sidekey);
      await t.sidekey.passwords.requestPasswordReset({ email: o.email }, anonymous);
      await t.sidekey.mailer.settled();
      const [stored] = await t.sidekey.mailer.list({ limit: 1 });
      expect(stored).toMatchObject({ recipient: o.email, sentAt: null });
      const line = t.logLines.find((l) => l.includes('mail is in the outbox'));
      expect(line).toContain('sidekey outbox');
      if (onPostgresServer) expect(line).not.toMatch(/#token=/);
      else expect(line).toMatch(/reset-password#token=/);
    } finally {
      await t.dispose();
    }
  });
});
