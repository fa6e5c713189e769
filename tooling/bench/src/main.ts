import { benchHttp } from './http.bench.ts';
import { benchScale } from './scale.bench.ts';
import { benchStorage } from './storage.bench.ts';
import { benchUncachedVerify } from './uncached.bench.ts';
import { benchVerify } from './verify.bench.ts';

/**
 * `pnpm bench`: every benchmark, each reported against its own ceiling.
 * `--smoke`: the same ratios in under a minute (CI), shorter and without the slow cases.
 * `--storage`: bytes per account, app password and audit event (Postgres).
 * `--scale`: the same figures on 1,000 and on 1,000,000 app passwords, EXPLAIN of the hot
 * queries and table sizes (Postgres); `--credentials=N` another size, `--rounds=N`,
 * `--keep` leaves both databases for a look with psql.
 */
const smoke = process.argv.includes('--smoke');
const flag = (name: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
if (process.argv.includes('--scale')) {
  await benchScale({
    credentials: Number(flag('credentials') ?? 1_000_000),
    rounds: Number(flag('rounds') ?? 3),
    keep: process.argv.includes('--keep'),
    caseTimeMs: 1_500,
    verifySeconds: 5,
  });
} else if (process.argv.includes('--storage')) {
  await benchStorage();
} else if (smoke) {
  await benchVerify({ timeMs: 400 });
  await benchUncachedVerify({ durationSeconds: 3 });
} else {
  await benchVerify({ timeMs: 2_000 });
  await benchUncachedVerify({ durationSeconds: 5 });
  await benchHttp();
}
