/**
 * Ctrl-C (or SIGTERM) for a long command: the first asks the work to stop between two steps,
 * so it can checkpoint and exit with 130; a second quits at once (the last epoch's files
 * stay). The handlers are installed for `body` only.
 */
export async function whileStoppable<T>(body: (stopSignal: () => NodeJS.Signals | null) => Promise<T>): Promise<T> {
  let signal: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal) process.exit(130);
    signal = sig;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(() => signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
