// For crash-safety.test.ts only: a Sidekey process doing owner work as fast as it can
// (generate, revoke, revoke all, password change) until it is killed with SIGKILL.
import { openSidekey, readConfig } from '@sidekey/core';

const { CRASH_ACCOUNT_ID: accountId, CRASH_SESSION_ID: sessionId } = process.env;
const passwords = ['crash test password one', 'crash test password two'];
const sidekey = await openSidekey(readConfig(), { holder: 'crash worker' });
const meta = { actor: 'owner' as const, address: '192.0.2.1' };
process.stdout.write('ready\n');

for (let i = 0; ; i++) {
  const step = i % 10;
  try {
    if (step < 6) {
      await sidekey.appPasswords.generate(accountId!, { label: `burst ${i}` }, meta);
    } else if (step < 8) {
      const live = (await sidekey.appPasswords.list(accountId!)).filter(
        (p) => p.state !== 'revoked',
      );
      if (live[0]) await sidekey.appPasswords.revoke(accountId!, live[0].id, meta);
    } else if (step === 8) {
      await sidekey.appPasswords.revokeAll(accountId!, meta);
    } else {
      // Which of the two passwords is current is unknown after a kill: try both ways.
      for (const [current, next] of [passwords, [...passwords].reverse()]) {
        try {
          await sidekey.passwords.changePassword(
            accountId!,
            sessionId!,
            { currentPassword: current!, newPassword: next! },
            meta,
          );
          break;
        } catch {
          // the other one is current
        }
      }
    }
  } catch {
    // The limit of 25, a lost race: refused as designed, and the next step goes on.
  }
  process.stdout.write('.'); // one step done: the test kills after some, mid-step
}
