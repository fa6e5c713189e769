import { describe, expect, it } from 'vitest';
import { seal, unseal } from './sealing.ts';
import { serverKeys } from './server-keys.ts';

const oldSecret = 'an-old-server-secret-that-is-long-enough-01';
const newSecret = 'a-new-server-secret-that-is-long-enough-0123';
const plain = new TextEncoder().encode('totp seed bytes!');

describe('sealing (AES-256-GCM, HKDF-derived key)', () => {
  it('opens what it sealed, and still opens it after the server secret is rotated', () => {
    const sealed = seal(serverKeys(oldSecret), 'totp-secret', 'account-1', plain);
    expect(sealed).not.toContain(Buffer.from(plain).toString('base64url'));
    expect(unseal(serverKeys(oldSecret), 'totp-secret', 'account-1', sealed)).toEqual(plain);
    expect(unseal(serverKeys(newSecret, [oldSecret]), 'totp-secret', 'account-1', sealed)).toEqual(
      plain,
    );
    expect(unseal(serverKeys(newSecret), 'totp-secret', 'account-1', sealed)).toBeNull();
  });

  it('refuses another account, another purpose, and any altered byte', () => {
    const keys = serverKeys(newSecret);
    const sealed = seal(keys, 'totp-secret', 'account-1', plain);
    expect(unseal(keys, 'totp-secret', 'account-2', sealed)).toBeNull();
    expect(unseal(keys, 'other-purpose', 'account-1', sealed)).toBeNull();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(unseal(keys, 'totp-secret', 'account-1', parts.join('.'))).toBeNull();
    expect(unseal(keys, 'totp-secret', 'account-1', 'garbage')).toBeNull();
  });

  it('never seals the same value to the same text twice (fresh nonce)', () => {
    const keys = serverKeys(newSecret);
    expect(seal(keys, 'p', 'c', plain)).not.toBe(seal(keys, 'p', 'c', plain));
  });
});
