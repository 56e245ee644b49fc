// Waiting for a condition that real sockets, processes or timers will bring about.

/** Polls `check` every `everyMs` until it holds; throws `timed out waiting for <what>` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
