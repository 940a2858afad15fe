// BENCHMARKS.md's GPU section (bench/gpu.ts writes it; bench/bench.ts, which rewrites the file, keeps it).

const BEGIN = "<!-- gpu:begin -->", END = "<!-- gpu:end -->";

/** `md` with its GPU section (between the gpu markers) replaced by `body`, or `body` added at the end. */
export function replaceGpuSection(md: string, body: string): string {
  const block = `${BEGIN}\n${body.trim()}\n${END}`;
  const i = md.indexOf(BEGIN), j = md.indexOf(END);
  if (i >= 0 && j > i) return md.slice(0, i) + block + md.slice(j + END.length);
  const raw = md.indexOf("Raw results");
  if (raw > 0) return `${md.slice(0, raw).replace(/\s*$/, "")}\n\n${block}\n\n${md.slice(raw)}`;
  return `${md.replace(/\s*$/, "")}\n\n${block}\n`;
}

/** A rewritten BENCHMARKS.md (`fresh`) with the GPU section of the previous one (`old`) carried over. */
export function keepGpuSection(fresh: string, old: string | null): string {
  if (!old) return fresh;
  const i = old.indexOf(BEGIN), j = old.indexOf(END);
  if (i < 0 || j < i) return fresh;
  return replaceGpuSection(fresh, old.slice(i + BEGIN.length, j));
}
