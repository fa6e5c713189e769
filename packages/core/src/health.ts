import { sql } from 'drizzle-orm';
import type { Deps } from './deps.ts';

/** How long /healthz waits for the database before calling it unreachable. */
export const HEALTH_TIMEOUT_MS = 2000;

/** True when the database answers a trivial query in time: what a load balancer asks. */
export async function databaseReachable(deps: Deps): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([deps.db.execute(sql`SELECT 1`).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
