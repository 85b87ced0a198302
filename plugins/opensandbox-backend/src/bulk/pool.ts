/**
 * Runs `work` over `items` with at most `concurrency` calls in flight, in order of the items. Once
 * `signal` aborts, no further item is started (items already running finish).
 * @returns one entry per item: its result, or `{ started: false }` for items never started.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal | undefined,
  work: (item: T, index: number) => Promise<R>,
): Promise<Array<{ started: true; result: R } | { started: false }>> {
  const results: Array<{ started: true; result: R } | { started: false }> =
    items.map(() => ({ started: false }));
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      results[index] = {
        started: true,
        result: await work(items[index], index),
      };
    }
  };
  await Promise.all(
    Array.from(
      { length: Math.max(1, Math.min(concurrency, items.length)) },
      worker,
    ),
  );
  return results;
}
