import { benchHttp } from './http.bench.ts';
import { benchVerify } from './verify.bench.ts';

/** `pnpm bench`: every benchmark, each reported against its own ceiling. */
await benchVerify();
await benchHttp();
