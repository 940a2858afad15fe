// `char-lstm serve`: load a checkpoint, serve the built web page and the HTTP API (server/server.ts) until
// Ctrl-C. Loopback by default; the page is dist/web, built by `npm run build`. Each request is logged on stderr
// as one line (method, path, status, ms); --quiet turns that off.

import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeCheckpoint } from "../checkpoint.js";
import { checkpointIn } from "../io/checkpoint_file.js";
import { IOError, readBytes } from "../io/node.js";
import { createServer, requestLine } from "../server/server.js";
import { UsageError } from "./args.js";
import { loadNoveltyIndex } from "./novelty.js";
import { bool, num, openKernels, str, type CliContext, type Flags } from "./context.js";

/** dist/web, next to this file's dist/src/cli/. */
export const WEB_ROOT = fileURLToPath(new URL("../../web/", import.meta.url));

export async function serveCommand(flags: Flags, [ckptArg]: string[], ctx: CliContext): Promise<number> {
  const ckptPath = checkpointIn(ckptArg, "best");   // a run directory: its best.safetensors
  const port = num(flags, "port") ?? 8080, host = str(flags, "host") ?? "127.0.0.1";
  const maxLength = num(flags, "max-length") ?? 10_000, maxConcurrent = num(flags, "max-concurrent") ?? 4;
  if (host.trim() === "") throw new UsageError(`--host needs an address (127.0.0.1 for this machine only, 0.0.0.0 for every interface), got ""`);
  if (port < 0 || port > 65535) throw new UsageError(`--port must be in 0..65535 (0 = any free port), got ${port}`);
  if (maxLength < 1) throw new UsageError(`--max-length must be at least 1, got ${maxLength}`);
  if (maxConcurrent < 1) throw new UsageError(`--max-concurrent must be at least 1, got ${maxConcurrent}`);
  const maxBeam = num(flags, "max-beam") ?? 16;
  if (maxBeam < 1) throw new UsageError(`--max-beam must be at least 1, got ${maxBeam}`);
  const noveltyText = str(flags, "novelty-text");
  const { kernels, notice } = await openKernels(flags);
  try {
    if (notice) ctx.err(`char-lstm: ${notice}\n`);
    const bytes = readBytes(ckptPath);
    const loaded = decodeCheckpoint(bytes, kernels, ckptPath);
    if (!existsSync(join(WEB_ROOT, "index.html"))) ctx.err("char-lstm: the web page is not built (run npm run build); serving the API only\n");
    const novelty = noveltyText ? loadNoveltyIndex(noveltyText) : undefined;
    // one line per request on stderr (method, path, status, ms), unless --quiet
    const onRequest = bool(flags, "quiet") ? undefined : (r: Parameters<typeof requestLine>[0]) => ctx.err(`char-lstm: ${requestLine(r)}\n`);
    const server = createServer({ checkpoint: { bytes, loaded, name: basename(ckptPath) }, webRoot: WEB_ROOT, maxLength, maxConcurrent, maxBeam, novelty, onRequest });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE") reject(new IOError(`port ${port} on ${host} is in use; pick another with --port (0 = any free port)`));
        else if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") reject(new IOError(`cannot listen on --host ${host}: no such local address`));
        else if (e.code === "EACCES") reject(new IOError(`not allowed to listen on port ${port}; ports below 1024 need privileges`));
        else reject(e);
      });
      server.listen(port, host, resolve);
    });
    const addr = server.address();
    const actual = typeof addr === "object" && addr ? addr.port : port;
    const m = loaded.model.config;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${actual}/`;
    ctx.out(`char-lstm: serving ${ckptPath} (${m.layers}×${m.hidden} LSTM, vocabulary ${m.vocabSize}, backend ${kernels.name})\n`);
    ctx.out(`  open ${url}  (API: ${url}api/model, ${url}api/sample?length=200)  Ctrl-C to stop\n`);
    if (!/^(127\.|::1$|localhost$)/.test(host)) ctx.err(`char-lstm: listening on ${host}: anyone who can reach this address can use the server\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    ctx.err("char-lstm: server stopped\n");
    return 0;
  } finally {
    kernels.dispose?.();
  }
}
