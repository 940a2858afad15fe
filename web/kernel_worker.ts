// A thread of the wasm kernels' pool: started by the engine worker (worker.ts) when the page is
// cross-origin isolated; it shares the engine's wasm memory and runs the jobs it is handed.

import { runPoolWorker } from "../src/kernels/wasm/browser.js";

runPoolWorker(self as unknown as Parameters<typeof runPoolWorker>[0]);
