import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';
import { describeStartFailure } from './start-failure.ts';

const dir = mkdtempSync(join(tmpdir(), 'sidekey-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'x'.repeat(32);

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('readConfig checks everything before anything is opened', () => {
  it('accepts the defaults and a full Postgres set-up', () => {
    expect(problems({ SIDEKEY_DATA_DIR: join(dir, 'data') })).toEqual([]);
    const config = readConfig({
      DATABASE_URL: 'postgres://u:p@db.example:5432/sidekey',
      SIDEKEY_SECRET: SECRET,
      SIDEKEY_DB_STARTUP_TIMEOUT: '5',
    });
    expect(config.databaseStartupTimeoutMs).toBe(5000);
  });

  it('tells every mistake at once, one sentence each, never repeating a secret', () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    const found = problems({
      PORT: '70000',
      SIDEKEY_SECRET: 'too-short-secret',
      SIDEKEY_PREVIOUS_SECRETS: 'old-short',
      SIDEKEY_DATA_DIR: join(file, 'data'),
      SIDEKEY_RESET_TTL: '0',
      SIDEKEY_DB_STARTUP_TIMEOUT: '-1',
    });
    expect(found).toHaveLength(6);
    for (const sentence of found) expect(sentence).toMatch(/^[A-Z].*[.)\w]$/);
    expect(found.join('\n')).not.toMatch(/too-short-secret|old-short/);
  });

  it('refuses a DATABASE_URL that is not a Postgres URL without echoing it, and demands a shared secret with it', () => {
    expect(problems({ DATABASE_URL: 'not a url :pw', SIDEKEY_SECRET: SECRET })).toEqual([
      'DATABASE_URL is not a URL; it must look like postgres://user:password@host:5432/database.',
    ]);
    const found = problems({ DATABASE_URL: 'mysql://root:pw@db/x' });
    expect(found[0]).toContain('must start with postgres://');
    expect(found[1]).toContain('SIDEKEY_SECRET must be set when DATABASE_URL is');
    expect(found.join()).not.toContain('root:pw');
  });

  it('describes a start failure as sentences, not a stack', () => {
    expect(describeStartFailure(new ConfigError(['One.', 'Two.']))).toBe('One.\nTwo.');
    expect(describeStartFailure(new Error('boom\n    at x'))).toBe('Sidekey could not start: boom');
  });
});
