import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededSidekey, type SidekeyForIntegration } from '../testing/sidekey.ts';

// "Any backend": the Python example (standard library only) against a live Sidekey.
const script = fileURLToPath(new URL('./sidekey_verify.py', import.meta.url));
let sidekey: SidekeyForIntegration;
let keyDir: string;

beforeAll(async () => {
  sidekey = await startSeededSidekey({ Phone: ['mail'], Contacts: ['contacts'] }, 'python');
  keyDir = mkdtempSync(join(tmpdir(), 'sidekey-python-'));
  writeFileSync(join(keyDir, 'service-key'), `${sidekey.serviceKey}\n`, { mode: 0o600 });
}, 120_000);
afterAll(async () => {
  await sidekey?.stop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

/** python3 sidekey_verify.py USERNAME SERVICE [ADDRESS] < password */
function python(args: string[], password: string) {
  const child = spawn('python3', [script, ...args], {
    env: {
      PATH: process.env.PATH,
      SIDEKEY_URL: sidekey.sidekey.url,
      SIDEKEY_SERVICE_KEY_FILE: join(keyDir, 'service-key'),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(`${password}\n`);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise<{ code: number | null; answer: Record<string, unknown>; stderr: string }>(
    (resolve) =>
      child.on('exit', (code) =>
        resolve({ code, answer: stdout ? JSON.parse(stdout) : {}, stderr }),
      ),
  );
}

describe('integrations/python/sidekey_verify.py', () => {
  it('a valid app password: exit 0 with the account and scopes', async () => {
    const result = await python(
      [sidekey.owner.email, 'imap', '203.0.113.9'],
      sidekey.appPasswords.Phone!.password,
    );
    expect(result).toMatchObject({
      code: 0,
      answer: { ok: true, username: sidekey.owner.email, scopes: ['mail'] },
    });
    expect(result.answer.credentialId).toBe(sidekey.appPasswords.Phone!.id);
  });

  it('a refusal: exit 1 with the reason (a wrong password, a password out of scope)', async () => {
    expect(await python([sidekey.owner.email, 'imap'], 'skap-wrong')).toMatchObject({
      code: 1,
      answer: { ok: false, reason: 'invalid' },
    });
    expect(
      await python([sidekey.owner.email, 'imap'], sidekey.appPasswords.Contacts!.password),
    ).toMatchObject({ code: 1, answer: { ok: false, reason: 'scope_denied' } });
  });

  it('a request Sidekey cannot answer: exit 2 with Sidekey’s message, never the password', async () => {
    const password = sidekey.appPasswords.Phone!.password;
    const result = await python([sidekey.owner.email, 'gopher'], password);
    expect(result).toMatchObject({
      code: 2,
      answer: { ok: false, reason: 'bad_request', message: expect.stringContaining('imap') },
    });
    expect(JSON.stringify(result)).not.toContain(password);
  });
});
