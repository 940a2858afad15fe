// Reusable workspaces for many short-lived Samplers and traces over one model (the server's requests, the
// page's generations). The wasm backend's arena never frees, so a workspace allocated per request would
// grow it for the life of the process; a pool keeps one per (B, Tmax) shape and concurrent user.
// Platform-neutral (the web page's worker uses it too).
//
// borrow() hands out a view of the model (Object.create: every method and field is the model's own) whose
// workspace() takes from the pool, so library code that allocates its own workspace (Sampler, traceText)
// runs unchanged on it; release() gives the workspaces back. Do not use a released lease.

import type { CharLSTM, Workspace } from "../model.js";

export class WorkspacePool {
  private readonly free: Workspace[] = [];
  /** Workspaces this pool has allocated (idle or lent). */
  allocated = 0;
  constructor(readonly model: CharLSTM) {}

  borrow(): { model: CharLSTM; release(): void } {
    const taken: Workspace[] = [];
    const model = Object.create(this.model, {
      workspace: {
        value: (B: number, Tmax: number): Workspace => {
          const i = this.free.findIndex((w) => w.B === B && w.Tmax === Tmax);
          const ws = i >= 0 ? this.free.splice(i, 1)[0] : (this.allocated++, this.model.workspace(B, Tmax));
          taken.push(ws);
          return ws;
        },
      },
    }) as CharLSTM;
    return { model, release: () => { this.free.push(...taken.splice(0)); } };
  }
}
