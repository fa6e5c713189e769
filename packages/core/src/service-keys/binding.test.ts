import { auditEvents } from '@sidekey/db';
import { max, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSidekey, signUpOwner, type TestSidekey } from '../testing.ts';
import type { RevocationEvent } from '../verification/revocations.ts';

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t.dispose());

const operator = { actor: 'operator' as const };
const owner = { actor: 'owner' as const };

async function ownerWith(scopes: Array<'mail' | 'calendars' | 'contacts' | 'files'>) {
  const account = await signUpOwner(t.sidekey);
  const generated = await t.sidekey.appPasswords.generate(
    account.accountId,
    { label: 'App', scopes },
    owner,
  );
  return { ...account, generated };
}

describe('service keys are bound to the protocols they may verify', () => {
  it('a mail server’s key verifies imap, and is refused (and logged) for caldav', async () => {
    const dovecot = await t.sidekey.serviceKeys.create('dovecot', operator, [
      'imap',
      'pop3',
      'smtp',
    ]);
    expect(dovecot.protocols).toEqual(['imap', 'pop3', 'smtp']);
    const { email, generated } = await ownerWith(['mail', 'calendars']);
    const ask = (service: 'imap' | 'caldav') =>
      t.sidekey.verifyForService(dovecot.key, {
        username: email,
        password: generated.password,
        service,
      });
    expect(await ask('imap')).toMatchObject({ ok: true });
    expect(await ask('caldav')).toEqual({ ok: false, reason: 'service_not_allowed' });
    const logged = t.logLines.join('\n');
    expect(logged).toMatch(/service key not allowed this protocol/);
    expect(logged).toContain('"protocol":"caldav"');
    expect(logged).not.toContain(dovecot.key);
  });

  it('a key made before keys were bound (no protocols column written) keeps every protocol', async () => {
    // What the migration's column default gives existing rows on upgrade.
    await t.database.db.execute(
      sql`INSERT INTO service_keys (name, key_hash) VALUES ('legacy', 'legacy-hash-not-a-real-key')`,
    );
    const legacy = (await t.sidekey.serviceKeys.list()).find((key) => key.name === 'legacy');
    expect(legacy?.protocols).toEqual(['imap', 'pop3', 'smtp', 'caldav', 'carddav', 'webdav']);
  });

  it('refuses to make a key for no or unknown protocols', async () => {
    await expect(t.sidekey.serviceKeys.create('empty', operator, [])).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      reason: 'invalid_services',
    });
    await expect(
      t.sidekey.serviceKeys.create('odd', operator, ['imap', 'gopher' as 'imap']),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('gopher') });
    expect((await t.sidekey.serviceKeys.list()).map((key) => key.name)).not.toContain('odd');
  });

  it('a missing or bad service key is logged as the operator error it is, never with the key', async () => {
    const { email, generated } = await ownerWith(['mail']);
    const before = t.logLines.length;
    const bogus = `sksvc_${'A'.repeat(43)}`;
    for (const key of [null, 'not-a-key', bogus]) {
      expect(
        await t.sidekey.verifyForService(key, {
          username: email,
          password: generated.password,
          service: 'imap',
        }),
      ).toEqual({ ok: false, reason: 'service_unauthorized' });
    }
    const logged = t.logLines.slice(before);
    expect(logged.filter((line) => /service key refused/.test(line))).toHaveLength(3);
    expect(logged.join('\n')).toMatch(/"problem":"missing"/);
    expect(logged.join('\n')).toMatch(/"problem":"malformed"/);
    expect(logged.join('\n')).toMatch(/"problem":"unknown or revoked"/);
    expect(logged.join('\n')).not.toContain(bogus);
    expect(logged.join('\n')).not.toContain(generated.password);
  });

  it('the event stream sends a key only revocations its protocols can use', async () => {
    const mailOnly = await ownerWith(['mail']);
    const calendarOnly = await ownerWith(['calendars']);
    const both = await ownerWith(['mail', 'calendars']);
    const [row] = await t.database.db.select({ id: max(auditEvents.id) }).from(auditEvents);
    const controller = new AbortController();
    const seen: RevocationEvent[] = [];
    const reading = (async () => {
      for await (const event of t.sidekey.revocations.stream(row?.id ?? 0, controller.signal, {
        protocols: ['imap', 'pop3', 'smtp'],
      })) {
        seen.push(event);
      }
    })();
    for (const who of [calendarOnly, mailOnly, both]) {
      await t.sidekey.appPasswords.revoke(who.accountId, who.generated.id, owner);
    }
    await expect.poll(() => seen.length).toBe(2);
    // Let a wrongly delivered calendar event show up if it were coming.
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await reading;
    expect(seen.map((event) => event.credentialId)).toEqual([
      mailOnly.generated.id,
      both.generated.id,
    ]);
  });
});
