/**
 * Starts a `before` hook's browsers, servers and fixtures side by side. Every start is awaited
 * before the first failure is thrown: with a plain `Promise.all` the hook fails at once, `after`
 * runs while a browser is still launching, that browser is never closed, and its open pipe keeps
 * the test file's process alive until the runner's timeout (seen: a failed studio start left the
 * preview tests hanging 180 s). Each start assigns its own result (`.then((x) => (browser = x))`),
 * so `after` closes exactly what did start.
 */
export async function startTogether(starts: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
