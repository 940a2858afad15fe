// How a kernel backend names itself to users.

import type { Kernels } from "./types.js";

/** "native (avx512)", "native (avx2)", "wasm", "js" or "js-f64". */
export function backendLabel(k: Kernels): string {
  const isa = (k as { isa?: string }).isa;
  return isa ? `${k.name} (${isa})` : k.name;
}
