/** Resolves once `condition` holds, checked every 10 ms; rejects with `describe()` after the timeout. */
export async function waitUntil(
  condition: () => boolean,
  describe: () => string = () => '',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting. ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
