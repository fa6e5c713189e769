import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededSidekey, type SidekeyForIntegration } from '../testing/sidekey.ts';

// @sidekey/client as a relying service in another repository gets it: `pnpm pack`, then
// `npm install` of the tarball into a project outside this workspace, with nothing else
// of Sidekey. Its consumer is type-checked and run against a live Sidekey.
const run = promisify(execFile);
const clientDir = fileURLToPath(new URL('../../packages/client', import.meta.url));
const consumerDir = fileURLToPath(new URL('./consumer', import.meta.url));
/** npm and pnpm settings of the workspace must not reach the outside project. */
const outsideEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_)/i.test(name)),
);

let project: string;
let tarball: string;
let sidekey: SidekeyForIntegration;

/**
 * One setup command with its own time limit. A hung pack or install then fails with the
 * command's name and whatever it printed, not as a bare hook timeout ten minutes later.
 */
async function setupStep(command: string, args: string[], cwd: string, timeoutMs: number) {
  try {
    return await run(command, args, {
      cwd,
      env: outsideEnv,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { killed, stdout, stderr } = error as {
      killed?: boolean;
      stdout?: string;
      stderr?: string;
    };
    const why = killed ? `did not finish in ${timeoutMs / 1000} s` : 'failed';
    throw new Error(`${command} ${args.join(' ')} ${why}:\n${stdout ?? ''}\n${stderr ?? ''}`, {
      cause: error,
    });
  }
}

/**
 * npm's own cache for these installs, outside any home directory the machine may share:
 * a warm cache makes the install quick (`--prefer-offline`), and nothing another npm left
 * behind (a lock, a root-owned entry) can stall it.
 */
const npmCache = join(tmpdir(), 'sidekey-client-package-npm-cache');
const npmInstall = [
  'install',
  '--no-audit',
  '--no-fund',
  '--prefer-offline',
  '--loglevel=error',
  `--cache=${npmCache}`,
  '--fetch-timeout=60000',
  '--fetch-retries=4',
];

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'sidekey-client-consumer-'));
  const [packed] = await Promise.all([
    setupStep('pnpm', ['pack', '--pack-destination', project], clientDir, 180_000),
    (async () => {
      sidekey = await startSeededSidekey(
        { Phone: ['mail'], Laptop: ['mail'], Tablet: ['mail'] },
        'consumer',
      );
    })(),
  ]);
  tarball = readdirSync(project).find((name) => name.endsWith('.tgz'))!;
  const { version } = JSON.parse(readFileSync(join(clientDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  expect(tarball, packed.stdout).toBe(`sidekey-client-${version}.tgz`);
  cpSync(consumerDir, project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'relying-service', private: true, type: 'module' }),
  );
  // Registry packages only, beside the packed tarball.
  const packages = [
    `./${tarball}`,
    '@trpc/client@^11',
    '@trpc/server@^11',
    'typescript@~5.9',
    '@types/node@^20',
  ];
  // A registry hiccup gets one more try before the suite gives up.
  await setupStep('npm', [...npmInstall, ...packages], project, 200_000).catch(() =>
    setupStep('npm', [...npmInstall, ...packages], project, 200_000),
  );
}, 600_000);
afterAll(async () => {
  await sidekey?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** tsc in the outside project; resolves with its output, never throws. */
async function tsc(...args: string[]) {
  return run(process.execPath, ['node_modules/typescript/bin/tsc', ...args], {
    cwd: project,
    env: outsideEnv,
  }).then(
    (result) => ({ ok: true, output: result.stdout }),
    (error: { stdout: string }) => ({ ok: false, output: error.stdout }),
  );
}

const checkOnly = (file: string) =>
  tsc(
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--target',
    'ES2022',
    '--module',
    'NodeNext',
    '--moduleResolution',
    'NodeNext',
    '--types',
    'node',
    file,
  );

describe('the packed @sidekey/client', () => {
  it('holds the build and its declaration, no source, and names only registry dependencies', async () => {
    const listing = (await run('tar', ['-tzf', join(project, tarball)])).stdout
      .split('\n')
      .filter(Boolean);
    expect(listing.sort()).toEqual([
      'package/CHANGELOG.md',
      'package/README.md',
      'package/dist/index.d.ts',
      'package/dist/index.js',
      'package/package.json',
    ]);
    const installed = (await import(join(project, 'node_modules/@sidekey/client/package.json'), {
      with: { type: 'json' },
    })) as { default: Record<string, Record<string, unknown>> };
    expect(installed.default.exports).toEqual({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    });
    const ranges = JSON.stringify({
      ...installed.default.dependencies,
      ...installed.default.peerDependencies,
    });
    expect(ranges).not.toMatch(/workspace:|catalog:|@sidekey\//);
    expect(statSync(join(project, tarball)).size).toBeLessThan(20_000);
  });

  it('type-checks a correct consumer, and refuses a wrong input and a misspelt procedure', async () => {
    expect(await tsc('-p', 'tsconfig.json')).toEqual({ ok: true, output: '' });
    const wrongInput = await checkOnly('wrong-input.ts');
    expect(wrongInput.ok).toBe(false);
    expect(wrongInput.output).toMatch(/wrong-input\.ts.*error TS2322.*"gopher"/s);
    const misspelt = await checkOnly('misspelt.ts');
    expect(misspelt.ok).toBe(false);
    expect(misspelt.output).toMatch(
      /misspelt\.ts.*error TS(2339|2551): Property 'verfy' does not exist/s,
    );
  }, 120_000);

  it('verifies and follows revocations against a live Sidekey, resuming after the last event', async () => {
    const { Phone, Laptop, Tablet } = sidekey.appPasswords;
    await sidekey.revoke(Laptop!.id);
    const consumer = (extra: Record<string, string>) =>
      run(process.execPath, ['out/consumer.js'], {
        cwd: project,
        timeout: 60_000,
        env: {
          ...outsideEnv,
          SIDEKEY_URL: sidekey.sidekey.url,
          SIDEKEY_SERVICE_KEY: sidekey.serviceKey,
          SIDEKEY_USERNAME: sidekey.owner.email,
          SIDEKEY_PASSWORD: Phone!.password,
          ...extra,
        },
      }).then(
        ({ stdout }) =>
          JSON.parse(stdout) as {
            verified: { ok: boolean; scopes?: string[] };
            events: { id: string; credentialId: string; atIsDate: boolean }[];
          },
      );

    const first = await consumer({ LAST_EVENT_ID: '0' });
    expect(first.verified).toEqual({ ok: true, scopes: ['mail'] });
    expect(first.events).toEqual([
      { id: expect.stringMatching(/^\d+$/), credentialId: Laptop!.id, atIsDate: true },
    ]);

    // A restart of the relying service: it resumes after the id it stored, missing nothing.
    await sidekey.revoke(Tablet!.id);
    const resumed = await consumer({ LAST_EVENT_ID: first.events[0]!.id });
    expect(resumed.events.map((event) => event.credentialId)).toEqual([Tablet!.id]);
    expect(Number(resumed.events[0]!.id)).toBeGreaterThan(Number(first.events[0]!.id));
  }, 120_000);
});
