import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigFile, readCompanionConfig } from './config.ts';
import { readLastEventId, writeLastEventId } from './state.ts';

const dir = mkdtempSync(join(tmpdir(), 'sidekey-dovecot-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keyFile = join(dir, 'key');
writeFileSync(keyFile, 'sksvc_example\n');

describe('sidekey-dovecot settings', () => {
  it('reads the shipped settings file, and systemd’s state directory for the state file', () => {
    const shipped = readFileSync(
      new URL('../../../integrations/dovecot/sidekey-dovecot.environment', import.meta.url),
      'utf8',
    );
    const file = join(dir, 'dovecot.env');
    writeFileSync(file, shipped.replace('/etc/dovecot/sidekey-service-key', keyFile));
    expect(readCompanionConfig({ STATE_DIRECTORY: '/var/lib/sidekey-dovecot' }, file)).toEqual({
      url: 'http://127.0.0.1:3000',
      serviceKey: 'sksvc_example',
      doveadm: ['doveadm', '-c', '/etc/dovecot/dovecot.conf'],
      stateFile: '/var/lib/sidekey-dovecot/last-event-id',
    });
  });

  it('the environment overrides the file; quotes are the value’s delimiters, not part of it', () => {
    expect(parseConfigFile('# comment\nSIDEKEY_URL="https://a.example"\n\nDOVEADM=/x\n')).toEqual({
      SIDEKEY_URL: 'https://a.example',
      DOVEADM: '/x',
    });
    const file = join(dir, 'override.env');
    writeFileSync(file, `SIDEKEY_URL=https://file.example\nSIDEKEY_SERVICE_KEY_FILE=${keyFile}\n`);
    const config = readCompanionConfig(
      { SIDEKEY_URL: 'https://env.example', SIDEKEY_EVENTS_STATE_FILE: join(dir, 'state') },
      file,
    );
    expect(config.url).toBe('https://env.example');
  });

  it('says what is missing or wrong, and never starts without a state file', () => {
    expect(() => readCompanionConfig({})).toThrow('Set SIDEKEY_URL');
    expect(() => readCompanionConfig({ SIDEKEY_URL: 'not a url' })).toThrow('not a URL');
    expect(() =>
      readCompanionConfig({ SIDEKEY_URL: 'https://a.example', SIDEKEY_SERVICE_KEY: 'k' }),
    ).toThrow('SIDEKEY_EVENTS_STATE_FILE');
    expect(() => parseConfigFile('SIDEKEY_URL https://a.example')).toThrow('line 1');
  });
});

describe('the state file', () => {
  it('keeps the last handled event id, replacing it whole', () => {
    const state = join(dir, 'last-event-id');
    expect(readLastEventId(state)).toBeUndefined();
    writeLastEventId(state, '41');
    writeLastEventId(state, '42');
    expect(readLastEventId(state)).toBe('42');
    writeFileSync(state, 'garbage');
    expect(readLastEventId(state)).toBeUndefined();
  });
});
