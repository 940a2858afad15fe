// Long synchronous loops (encoding a text, evaluating it, generating characters) share the one JavaScript
// thread with signal handlers and stream error events, which run only when the loop gives the event loop a
// turn. A Cooperator gives it one every few milliseconds, so Ctrl-C, SIGTERM and a closed pipe act within
// ~`ms` + one chunk of work, and turns an aborted signal into an Interrupted error at that point.

/** The work was stopped by a signal (Ctrl-C, SIGTERM) before it finished; nothing half-written is kept. */
export class Interrupted extends Error {
  override name = "Interrupted";
}

/** One macrotask turn: pending signals, I/O callbacks and error events run before this resolves. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Cooperator {
  private last = performance.now();
  constructor(private readonly signal?: AbortSignal, private readonly ms = 20, private readonly what = "stopped") {}

  /** Yield if `ms` have passed since the last turn; then whether the signal is aborted. */
  async pause(): Promise<boolean> {
    const now = performance.now();
    if (now - this.last >= this.ms) {
      await nextTurn();
      this.last = performance.now();
    }
    return this.signal?.aborted ?? false;
  }

  /** pause(), throwing Interrupted once the signal is aborted. */
  async turn(): Promise<void> {
    if (await this.pause()) throw new Interrupted(this.what);
  }
}
