import { SidekeyError } from '@sidekey/core';

const unavailable = () =>
  new SidekeyError(
    'SERVICE_UNAVAILABLE',
    'Sidekey cannot answer right now. Please try again.',
    'unavailable',
    1,
  );

/**
 * A relying service's login waits on this answer (an IMAP auth worker, a DAV request). When
 * the database stops answering or fails, it gets a 503 — at the deadline at the latest — and
 * can fail over or retry, instead of queueing behind a hung query or reading a 500 as its
 * own mistake. Never a success that was not checked: a late answer is dropped.
 */
export async function answerWithin<T>(
  work: Promise<T>,
  deadlineMs: number | null,
  onFailure: (error: unknown) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const checked = work.catch((error: unknown) => {
    if (error instanceof SidekeyError) throw error;
    onFailure(error);
    throw unavailable();
  });
  const expired = new Promise<never>((_, reject) => {
    if (deadlineMs !== null) timer = setTimeout(() => reject(unavailable()), deadlineMs);
  });
  // Once the deadline has answered, nobody waits for the late result any more.
  checked.catch(() => {});
  try {
    return await Promise.race([checked, expired]);
  } finally {
    clearTimeout(timer);
  }
}
