import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAppPassword } from '../app-passwords/format.ts';
import { createMemoryLogger } from '../logger.ts';
import { serverKeys } from '../secrets/server-keys.ts';
import { createSidekey, type Sidekey } from '../sidekey.ts';
import { createTestSidekey, signUpOwner, TEST_SECRET, type TestSidekey } from '../testing.ts';
import { claimRefusalNotice, REFUSAL_NOTICE_WINDOW_MS } from './refusal-notices.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const owner = { actor: 'owner' as const };
const HOUR = 60 * 60 * 1000;
const imap = {
  service: 'imap' as const,
  address: '203.0.113.9',
  userAgent: 'DAVx5/4.4.2-ose (2024/06/10; dav4jvm; okhttp/4.12.0) Android/14',
};

/** An owner whose password may reach contacts and calendars only, as DAVx⁵ needs. */
async function ownerWithDavPassword() {
  const account = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    account.accountId,
    { label: 'DAVx5 on my phone', scopes: ['contacts', 'calendars'] },
    owner,
  );
  return { ...account, generated };
}

/** The refusal notices in the outbox for one owner, once all deferred mail work is done. */
async function refusalMails(email: string, ...nodes: Sidekey[]) {
  for (const node of [t.sidekey, ...nodes]) await node.mailer.settled();
  const all = await t.sidekey.mailer.list({ limit: 1000 });
  return all.filter((mail) => mail.recipient === email && /was refused for/.test(mail.subject));
}

describe('telling the owner when an app password is refused for a protocol', () => {
  it('mails once for a burst of 50 concurrent refusals, in words, with no secret', async () => {
    const { email, generated } = await ownerWithDavPassword();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.sidekey.verify({ username: email, password: generated.password, ...imap }),
      ),
    );
    expect(answers.every((answer) => !answer.ok && answer.reason === 'scope_denied')).toBe(true);

    const mails = await refusalMails(email);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toBe('Sidekey: “DAVx5 on my phone” was refused for mail (IMAP)');
    expect(mail!.body).toContain('Your app password “DAVx5 on my phone” was used for mail (IMAP)');
    expect(mail!.body).toContain(`App: “${imap.userAgent}”`);
    expect(mail!.body).toContain('Network: 203.0.113.0/24');
    expect(mail!.body).toContain(
      `When: ${new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(t.clock.now)} UTC`,
    );
    expect(mail!.body).toContain('generate a new app password in Sidekey that may reach mail');
    expect(mail!.body).toContain('If it was not you, you can ignore this message');

    // The password is in neither the stored mail nor the log, in any form.
    const canonical = generated.password.replace(/^skap-/, '').replaceAll('-', '');
    for (const secret of [generated.password, canonical]) {
      expect(mail!.body).not.toContain(secret);
      expect(mail!.subject).not.toContain(secret);
      expect(t.logLines.join('\n')).not.toContain(secret);
    }
  });

  it('mails again only once the window has passed, and per protocol', async () => {
    const { email, generated } = await ownerWithDavPassword();
    const refuse = (service: 'imap' | 'smtp' = 'imap') =>
      t.sidekey.verify({ username: email, password: generated.password, ...imap, service });

    await refuse();
    expect(await refusalMails(email)).toHaveLength(1);

    // A device retrying all day: nothing more until the day is over.
    t.clock.advance(REFUSAL_NOTICE_WINDOW_MS - HOUR);
    await refuse();
    expect(await refusalMails(email)).toHaveLength(1);

    // Another kind of access is another notice.
    await refuse('smtp');
    const withSmtp = await refusalMails(email);
    expect(withSmtp).toHaveLength(2);
    expect(withSmtp[0]!.subject).toContain('sending mail (SMTP)');

    t.clock.advance(HOUR);
    await refuse();
    await refuse();
    expect(await refusalMails(email)).toHaveLength(3);
  });

  it('mails nothing for a wrong password, a right one, or one used where it may go', async () => {
    const { email, generated } = await ownerWithDavPassword();
    const wrong = generateAppPassword().display;
    expect(await t.sidekey.verify({ username: email, password: wrong, ...imap })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(
      await t.sidekey.verify({
        username: email,
        password: generated.password,
        ...imap,
        service: 'carddav',
      }),
    ).toMatchObject({ ok: true });
    expect(await refusalMails(email)).toEqual([]);
  });

  it('mails once when many nodes refuse the same password at the same moment', async () => {
    const { email, generated } = await ownerWithDavPassword();
    // Four more nodes on the same database and the same test clock: each remembers only
    // its own claims, so the database alone must let exactly one of them through.
    const nodes = Array.from({ length: 4 }, () =>
      createSidekey({
        database: t.database,
        keys: serverKeys(TEST_SECRET),
        logger: createMemoryLogger().logger,
        now: () => t.clock.now,
      }),
    );
    try {
      const all = [t.sidekey, ...nodes];
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          all[i % all.length]!.verify({ username: email, password: generated.password, ...imap }),
        ),
      );
      expect(await refusalMails(email, ...nodes)).toHaveLength(1);
    } finally {
      for (const node of nodes) {
        await node.uses.close();
        await node.mailer.settled();
      }
    }
  });

  it('lets exactly one of 50 concurrent claims win, and the next only after the window', async () => {
    const { generated } = await ownerWithDavPassword();
    const at = t.clock.now;
    const claims = await Promise.all(
      Array.from({ length: 50 }, () => claimRefusalNotice(t.database.db, generated.id, 'imap', at)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    const almost = new Date(at.getTime() + REFUSAL_NOTICE_WINDOW_MS - 1);
    expect(await claimRefusalNotice(t.database.db, generated.id, 'imap', almost)).toBe(false);
    const later = new Date(at.getTime() + REFUSAL_NOTICE_WINDOW_MS);
    expect(await claimRefusalNotice(t.database.db, generated.id, 'imap', later)).toBe(true);
  });
});
