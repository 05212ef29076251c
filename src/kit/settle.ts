/**
 * Waiting for work started in the background, such as crops being encoded and written while the next ones
 * are computed: every promise is let finish (so nothing is still writing when a stage returns or fails),
 * the list is emptied for reuse, and then the first failure, if any, is thrown.
 */

/** Waits for every promise in `pending`, empties it, then throws the first rejection. */
export async function settleAll(pending: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(pending.splice(0));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
