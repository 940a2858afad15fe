// Long synchronous loops (encoding a text, evaluating it, generating characters) share the one JavaScript
// thread with signal handlers and stream error events, which run only when the loop gives the event loop a
// turn. A Cooperator gives it one every few milliseconds, so Ctrl-C, SIGTERM and a closed pipe act within
// ~`ms` + one chunk of work, and turns an aborted signal into an Interrupted error at that point.

/** The work was stopped by a signal (Ctrl-C, SIGTERM) before it finished; nothing half-written is kept. */
export class Interrupted extends Error {
  override name = "Interrupted";
}

/**
 * One macrotask turn: pending signals, I/O callbacks, error events and (in a Worker) queued messages run before
 * this resolves. Node's setImmediate; where there is none (a browser or a Web Worker) a MessageChannel post,
 * which is not clamped to 4 ms as a nested setTimeout is. Nothing here touches process, fs or the DOM.
 */
const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
export const nextTurn: () => Promise<void> = typeof immediate === "function"
  ? () => new Promise((resolve) => immediate(resolve))
  : channelTurn();

function channelTurn(): () => Promise<void> {
  let channel: InstanceType<typeof MessageChannel> | null = null;
  const waiting: (() => void)[] = [];
  return () => new Promise<void>((resolve) => {
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.addEventListener("message", () => waiting.shift()?.());
      channel.port1.start();
    }
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

export class Cooperator {
  private last = performance.now();
  constructor(private readonly signal?: { readonly aborted: boolean }, private readonly ms = 20, private readonly what = "stopped") {}

  /** Whether `ms` have passed since the last turn (the next pause() gives the event loop one). */
  get due(): boolean {
    return performance.now() - this.last >= this.ms;
  }

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
