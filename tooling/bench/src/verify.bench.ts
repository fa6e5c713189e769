import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { appPasswords } from '@sidekey/db';
import { createMemoryLogger, createSidekey, generateAppPassword, serverKeys } from '@sidekey/core';
import { createTestSidekey, signUpOwner, TEST_SECRET } from '@sidekey/core/testing';
import { chooseEdge, decide, type CredentialRecord } from '@sidekey/lifecycle';
import { createHmac } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Bench } from 'tinybench';
import { printRatios, rowsOf } from './report.ts';

/**
 * The verify path in-process, on whichever database the environment names (PGlite by
 * default, Postgres with DATABASE_URL). Ceiling: the one indexed lookup verify cannot
 * avoid, by the same driver on the same table. Also shown: what argon2id at OWASP's
 * parameters would add per login if app passwords were hashed like primary passwords.
 */
export async function benchVerify(options: { timeMs: number }): Promise<void> {
  const t = await createTestSidekey();
  try {
    const owner = await signUpOwner(t.sidekey);
    const generated = await t.sidekey.appPasswords.generate(
      owner.accountId,
      { label: 'bench' },
      { actor: 'owner' },
    );
    const login = {
      username: owner.email,
      password: generated.password,
      service: 'imap' as const,
      address: '127.0.0.1',
    };
    const first = await t.sidekey.verify(login);
    if (!first.ok) throw new Error('the benchmark credential does not verify');
    const [row] = await t.database.db
      .select()
      .from(appPasswords)
      .where(eq(appPasswords.id, generated.id));
    const lookupHash = row!.lookupHash;
    const unknownPassword = generateAppPassword().display;
    const argon2Stored = await argon2Hash(generated.password, {
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });

    // The same database without the per-node cache: every verification does its lookup.
    const uncached = createSidekey({
      database: t.database,
      keys: serverKeys(TEST_SECRET),
      logger: createMemoryLogger().logger,
      now: () => t.clock.now,
      verification: { cacheMs: 0 },
    });

    // Prepared, as verify's own lookup is: the ceiling is the query, not query building.
    const bareLookup = t.database.db
      .select()
      .from(appPasswords)
      .where(eq(appPasswords.lookupHash, sql.placeholder('lookupHash')))
      .prepare('bench_bare_lookup');

    const routineRecord: CredentialRecord = {
      state: 'active',
      expiresAt: null,
      firstUsedAt: 0,
      lastUsedAt: 0,
      revokedAt: null,
      revokeReason: null,
      knownNetworks: ['127.0.0.0/24'],
      knownServices: ['imap'],
    };
    const bench = new Bench({ time: options.timeMs, warmupTime: 300 });
    bench
      .add('bare indexed lookup, prepared (ceiling)', async () => {
        await bareLookup.execute({ lookupHash });
      })
      .add('sidekey.verify, right password, uncached', async () => {
        const result = await uncached.verify(login);
        if (!result.ok) throw new Error('refused');
      })
      .add('sidekey.verify, right password, from the node cache', async () => {
        const result = await t.sidekey.verify(login);
        if (!result.ok) throw new Error('refused');
      })
      // Failures cost more on purpose: each is counted in the shared throttle (a write).
      .add('sidekey.verify, wrong password (well-formed; throttle write)', async () => {
        // Another username, so this case's throttle row never touches the owner's successes.
        await t.sidekey.verify({
          ...login,
          username: 'someone-else@example.org',
          password: unknownPassword,
        });
      })
      .add('sidekey.verify, typo refused by checksum', async () => {
        await t.sidekey.verify({ ...login, password: `${generated.password.slice(0, -1)}z` });
      })
      // The parts verify adds to the lookup, so the gap above can be read.
      .add('  part: HMAC-SHA-256 of the secret', () => {
        createHmac('sha256', 'k'.repeat(43)).update(generated.password).digest('base64url');
      })
      // What the verify path asks on every login: the edge alone, without a snapshot.
      .add('  part: lifecycle chooseEdge() for a routine USE', () => {
        chooseEdge(routineRecord, {
          type: 'USE',
          at: Date.now(),
          network: '127.0.0.0/24',
          service: 'imap',
        });
      })
      .add('  part: lifecycle decide() for USE', () => {
        decide(
          {
            state: 'active',
            expiresAt: null,
            firstUsedAt: 0,
            lastUsedAt: Date.now(),
            revokedAt: null,
            revokeReason: null,
            knownNetworks: ['127.0.0.0/24'],
            knownServices: ['imap'],
          },
          { type: 'USE', at: Date.now(), network: '127.0.0.0/24', service: 'imap' },
        );
      });
    await bench.run();

    const argon2Bench = new Bench({ time: options.timeMs, iterations: 20 });
    argon2Bench.add('bare argon2id verify (m=19 MiB, t=2, p=1)', async () => {
      await argon2Verify(argon2Stored, generated.password);
    });
    await argon2Bench.run();

    const [ceiling, ...rows] = rowsOf(bench);
    printRatios(
      `verify path, in process, on ${t.database.engine}`,
      ceiling!,
      [...rows, ...rowsOf(argon2Bench)],
      'Verify should stay within a small factor of the lookup it needs; argon2 on this path would multiply it.',
    );
  } finally {
    await t.dispose();
  }
}
