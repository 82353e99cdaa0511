/**
 * Runs every item at once under one stop signal. The first that fails stops the others, and that
 * first error is the one thrown, once every run has settled (each cleans up after itself: pods
 * stopped, Services removed), so nothing is left running when the caller reports it.
 */
export async function allOrFirstError<T, R>(
  items: readonly T[],
  run: (item: T, signal: AbortSignal) => Promise<R>,
  signal: AbortSignal,
): Promise<R[]> {
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let first: { error: unknown } | undefined;
  try {
    const settled = await Promise.allSettled(
      items.map((item) =>
        run(item, stop.signal).catch((error: unknown) => {
          first ??= { error };
          stop.abort();
          throw error;
        }),
      ),
    );
    if (first !== undefined) throw first.error;
    return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
