import { benchHttp } from './http.bench.ts';
import { benchStorage } from './storage.bench.ts';
import { benchUncachedVerify } from './uncached.bench.ts';
import { benchVerify } from './verify.bench.ts';

/**
 * `pnpm bench`: every benchmark, each reported against its own ceiling.
 * `--smoke`: the same ratios in under a minute (CI), shorter and without the slow cases.
 * `--storage`: bytes per account, app password and audit event (Postgres).
 */
const smoke = process.argv.includes('--smoke');
if (process.argv.includes('--storage')) {
  await benchStorage();
} else if (smoke) {
  await benchVerify({ timeMs: 400 });
  await benchUncachedVerify({ durationSeconds: 3 });
} else {
  await benchVerify({ timeMs: 2_000 });
  await benchUncachedVerify({ durationSeconds: 5 });
  await benchHttp();
}
