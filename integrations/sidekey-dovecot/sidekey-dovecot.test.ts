import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeDoveadm } from '../testing/fake-doveadm.ts';
import { startSeededSidekey, type SidekeyForIntegration } from '../testing/sidekey.ts';

// sidekey-dovecot as an operator runs it: its own process, configured by the environment
// or its settings file, against a real Sidekey. doveadm is the recording stand-in here; the
// real one against a real Dovecot is in dovecot/dovecot.test.ts.
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const main = fileURLToPath(new URL('../../packages/dovecot/src/cli.ts', import.meta.url));

let sidekey: SidekeyForIntegration;
const doveadm = createFakeDoveadm();
const dir = mkdtempSync(join(tmpdir(), 'sidekey-relying-'));
const stateFile = join(dir, 'last-event');
const keyFile = join(dir, 'service-key');

beforeAll(async () => {
  sidekey = await startSeededSidekey(
    { phone: ['mail'], laptop: ['mail'], tablet: ['mail'] },
    'dovecot-events',
  );
  writeFileSync(keyFile, `${sidekey.serviceKey}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await Promise.all(running.map(stop));
  await sidekey?.stop();
  doveadm.remove();
  rmSync(dir, { recursive: true, force: true });
});

const running: ChildProcess[] = [];
const outputs: (() => string)[] = [];
function start(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [tsx, main, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  outputs.push(() => output);
  return { child, output: () => output, exited };
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Polls until the condition holds: the program works on its own schedule. */
async function until(condition: () => boolean, what: string, output: () => string) {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const configured = () => ({
  SIDEKEY_URL: sidekey.sidekey.url,
  SIDEKEY_SERVICE_KEY_FILE: keyFile,
  DOVEADM: doveadm.path,
  DOVECOT_CONFIG: '/etc/dovecot/dovecot.conf',
  SIDEKEY_EVENTS_STATE_FILE: stateFile,
});

describe('sidekey-dovecot, run as a program', () => {
  it('runs doveadm for a revocation, and after a restart handles what it missed, once', async () => {
    const first = start(configured());
    await until(() => first.output().includes('subscribed'), 'subscribing', first.output);

    const { phone, laptop } = sidekey.appPasswords;
    await sidekey.revoke(phone!.id);
    // Handled means: doveadm ran, the line was logged, and the event id was saved.
    await until(
      () => existsSync(stateFile) && readFileSync(stateFile, 'utf8').trim() !== '',
      'the revocation handled',
      first.output,
    );
    expect(doveadm.calls()).toEqual([
      `-c /etc/dovecot/dovecot.conf auth cache flush ${sidekey.owner.email}`,
      `-c /etc/dovecot/dovecot.conf kick ${sidekey.owner.email}`,
    ]);
    await until(
      () => first.output().includes(`credential ${phone!.id}`),
      'the log line',
      first.output,
    );
    expect(first.output()).toContain(`credential ${phone!.id} of ${sidekey.owner.email} revoked`);

    await stop(first.child);
    expect(await first.exited).toBe(0);

    // Revoked while the service was down: it must not be lost. This time the settings come
    // from a file, as systemd's EnvironmentFile= would give them.
    await sidekey.revoke(laptop!.id);
    const settings = join(dir, 'dovecot.env');
    writeFileSync(
      settings,
      Object.entries(configured())
        .map(([name, value]) => `${name}=${value}`)
        .join('\n'),
    );
    const second = start({}, ['--config', settings]);
    await until(
      () => second.output().includes(`credential ${laptop!.id} of`),
      'the missed revocation',
      second.output,
    );
    expect(doveadm.calls()).toHaveLength(4);
    expect(second.output()).not.toContain(phone!.id); // not handled twice
    running.splice(running.indexOf(second.child), 1);
    await stop(second.child);
  }, 180_000);

  it('survives a Sidekey restart: a revocation during and after it is still acted on', async () => {
    const companion = start(configured());
    await until(() => companion.output().includes('subscribed'), 'subscribing', companion.output);
    const handledBefore = doveadm.calls().length;
    await sidekey.restart();
    const { tablet } = sidekey.appPasswords;
    await sidekey.revoke(tablet!.id);
    await until(
      () => companion.output().includes(`credential ${tablet!.id} of`),
      'the revocation after the restart',
      companion.output,
    );
    expect(doveadm.calls()).toHaveLength(handledBefore + 2);
    expect(readFileSync(stateFile, 'utf8').trim()).toMatch(/^\d+$/);
  }, 90_000);

  it('refuses to start without its configuration, saying what is missing', async () => {
    const { exited, output } = start({ SIDEKEY_SERVICE_KEY: 'sksvc_x' });
    expect(await exited).not.toBe(0);
    expect(output()).toContain('Set SIDEKEY_URL');
    expect(await start({}, ['--help']).exited).toBe(0);
  }, 90_000);

  it('never prints the service key', () => {
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) expect(output()).not.toContain(sidekey.serviceKey);
  });
});
