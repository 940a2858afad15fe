// The HTTP side of `char-lstm serve`: the built web page and a small JSON / Server-Sent-Events API over one
// loaded checkpoint, on node:http. createServer() returns the (not yet listening) http.Server; it never touches
// process, so tests start it on port 0 and the CLI (cli/serve.ts) owns listening, printing and stopping.
//
//   GET  /api/model        {layers, hidden, vocab_size, vocab, params, step, best_val_bpc, …}
//   GET  /api/history      {step, best_val_bpc, best_step, history: [{step, seconds, train_bpc, val_bpc}]} (nulls where absent)
//   GET  /api/checkpoint   the checkpoint bytes (the page loads them into its own in-browser model)
//   GET  /api/sample?prime=&length=&temperature=&top_k=&top_p=&seed=&argmax=&stop=&unknown=&beam=&length_penalty=&novelty=
//   POST /api/sample       the same parameters as a JSON object (for primes too long for a URL)
//        → text/event-stream: `data: {"text": "…"}` as characters are generated, then `event: done` with
//          {length, seed}; beam=K (≤ maxBeam) searches instead of sampling: the data events carry the prefix all
//          K beams agree on as it becomes final, and done adds {text, log_prob, score, stopped} of the best beam
//          (a sampling parameter with beam=K — temperature, top_k, top_p, seed, argmax — is 400 naming it);
//          novelty=1 adds {novelty: {longest_copy, longest_copy_at, copied_fraction, min_run}} of the generated
//          text against the training text given at startup (`serve --novelty-text FILE`; 400 without one)
//        a failure once the stream has begun (a model whose logits are not finite) ends it with `event: error`
//          and {error: "…"}
//   GET  /…                files of the built page (dist/web)
//
// Limits, each a clear 4xx with a JSON body {"error": "…", "param"?: "…"}: a bad parameter is 400 naming it,
// length above maxLength 400, more than maxConcurrent generations at once 429, a body over maxBodyBytes 413,
// a method a path does not take 405, an unknown path 404. Every response carries the cross-origin-isolation
// headers (COOP same-origin, COEP require-corp), so the page gets SharedArrayBuffer and wasm threads.
//
// Generation is the library's one stream (generate.ts) on this thread, in ~8 ms slices with a turn of the event
// loop between them — the prime's reading and the novelty matching included — so one long generation never
// stalls other requests; a closed connection stops it at the next slice. Each text event is one SSE data event.
// Generations borrow pooled workspaces (pool.ts): the wasm backend's arena never frees.

import http from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { checkpointSummary, type LoadedCheckpoint } from "../checkpoint.js";
import type { UnknownPolicy } from "../data/vocab.js";
import type { SampleOptions } from "../sample.js";
import { bestPoint } from "../plot.js";
import { generate } from "../generate.js";
import type { NoveltyIndex } from "../novelty.js";
import { WorkspacePool } from "./pool.js";
import { messageIn, type Spelling } from "../spelling.js";

/** How the API spells an option a library message names: its query parameter (topK → top_k, unknown=skip). */
const paramSpelling: Spelling = (field, value) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) + (value === undefined ? "" : `=${value}`);

export interface ServerOptions {
  /** The checkpoint as served by /api/checkpoint, and decoded. */
  checkpoint: { bytes: Uint8Array; loaded: LoadedCheckpoint; name?: string };
  /** Folder of the built page (dist/web); without it (or without its index.html) "/" explains how to build it. */
  webRoot?: string;
  /** Longest generation one request may ask for (default 10000 characters). */
  maxLength?: number;
  /** Generations running at once; more get 429 (default 4). */
  maxConcurrent?: number;
  /** Largest request body (default 64 KiB). */
  maxBodyBytes?: number;
  /** Longest prime text (default 10000 characters). */
  maxPrime?: number;
  /** Most beams one request may ask for (default 16). */
  maxBeam?: number;
  /** The training text, indexed, for novelty=1 (none: novelty=1 is refused). */
  novelty?: NoveltyIndex;
  /** Called once per request when its response ends or its connection closes first (`serve` logs it). */
  onRequest?(r: RequestRecord): void;
}

/** One served request, as the access log shows it: the path without its query (which may carry a prime text). */
export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  ms: number;
  /** The connection closed before the response ended (a stopped stream, a client gone). */
  aborted: boolean;
}

/** "GET /api/sample 200 1234 ms" (+ " (closed early)"). */
export function requestLine(r: RequestRecord): string {
  return `${r.method} ${r.path} ${r.status} ${Math.round(r.ms)} ms${r.aborted ? " (closed early)" : ""}`;
}

export interface ServerStats {
  /** Generations streaming now. */ active: number;
  /** Generations started since the server was created. */ started: number;
  /** Sampling workspaces allocated so far (reused; at most one per concurrent generation). */ workspaces: number;
}

export interface CharLSTMServer extends http.Server {
  stats(): ServerStats;
}

/** A refused request: its status and the JSON error body. */
class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly param?: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** Work between two turns of the event loop while generating, ms. */
const SLICE_MS = 8;
/** Longest text event (characters): text streams in small pieces however fast the model runs. */
const SSE_CHUNK = 64;
const SAMPLE_PARAMS = ["prime", "length", "temperature", "top_k", "top_p", "seed", "argmax", "stop", "unknown", "beam", "length_penalty", "novelty"];
const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
};
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
  ".ico": "image/x-icon", ".map": "application/json", ".txt": "text/plain; charset=utf-8",
  ".safetensors": "application/octet-stream",
};
const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>char-lstm</title>
<p>The web page is not built. Run <code>npm run build</code> in the char-lstm folder; the API is up: <a href="/api/model">/api/model</a>.</p>\n`;

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(data), "Cache-Control": "no-store", ...headers });
  res.end(res.req.method === "HEAD" ? undefined : data);
}

/** The training history of a checkpoint in bits/char, for the page's curves (empty for a checkpoint without one). */
export function historyJson(ck: LoadedCheckpoint) {
  const bits = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v / Math.LN2 : null);
  const history = (ck.state?.history ?? []).map((p) => ({ step: p.step, seconds: p.seconds ?? null, train_bpc: bits(p.train), val_bpc: bits(p.val) }));
  const best = bestPoint(ck.state?.history ?? []);
  return { step: ck.state?.step ?? null, best_val_bpc: best ? bits(best.val) : null, best_step: best?.step ?? null, history };
}

/** Sampling options from query or JSON parameters (all given as strings); HttpError 400 naming the bad one. */
export function parseSampleParams(get: (name: string) => string | undefined, limits: { maxLength: number; maxPrime: number; maxBeam?: number }): SampleOptions & { seedGiven: boolean; beam: number; lengthPenalty: number; novelty: boolean } {
  const bad = (param: string, why: string): never => { throw new HttpError(400, `${param} ${why}`, param); };
  const number = (param: string, integer: boolean): number | undefined => {
    const raw = get(param);
    if (raw === undefined) return undefined;
    // decimal only, as the CLI's flags: "0x10", "1e3" for an integer, " 5" are refused, not read by Number()'s rules
    const v = (integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(v) || (integer && !Number.isSafeInteger(v))) bad(param, `must be ${integer ? "a whole number" : "a number"} in decimal digits, got ${JSON.stringify(raw)}`);
    return v;
  };
  const length = number("length", true) ?? 500;
  if (length < 0) bad("length", `must be ≥ 0, got ${length}`);
  if (length > limits.maxLength) bad("length", `${length} is above this server's limit of ${limits.maxLength} characters (--max-length)`);
  const temperature = number("temperature", false) ?? 1;
  if (!(temperature > 0) || temperature > 100) bad("temperature", `must be in (0, 100], got ${temperature}`);
  const topK = number("top_k", true) ?? 0;
  if (topK < 0) bad("top_k", `must be ≥ 0 (0 = off), got ${topK}`);
  const topP = number("top_p", false) ?? 1;
  if (!(topP > 0 && topP <= 1)) bad("top_p", `must be in (0, 1] (1 = off), got ${topP}`);
  const seedArg = number("seed", true);
  if (seedArg !== undefined && (seedArg < 0 || seedArg > 0xffffffff)) bad("seed", `must be in 0..4294967295, got ${seedArg}`);
  const prime = get("prime") ?? "";
  if (prime.length > limits.maxPrime) bad("prime", `is ${prime.length} characters, above the limit of ${limits.maxPrime}`);
  const argmaxRaw = get("argmax");
  if (argmaxRaw !== undefined && !["", "0", "1", "true", "false"].includes(argmaxRaw)) bad("argmax", `must be true or false, got ${JSON.stringify(argmaxRaw)}`);
  const unknown = get("unknown") ?? "error";
  if (unknown !== "error" && unknown !== "skip") bad("unknown", `must be error or skip, got ${JSON.stringify(unknown)}`);
  const stop = get("stop");
  const flag = (param: string): boolean => {
    const raw = get(param);
    if (raw !== undefined && !["", "0", "1", "true", "false"].includes(raw)) bad(param, `must be true or false, got ${JSON.stringify(raw)}`);
    return raw === "" || raw === "1" || raw === "true";
  };
  const maxBeam = limits.maxBeam ?? 16;
  const beam = number("beam", true) ?? 0;
  if (beam < 0 || beam > maxBeam) bad("beam", `must be in 0..${maxBeam} (0 = sample, K = beam search with K beams), got ${beam}`);
  const lengthPenalty = number("length_penalty", false) ?? 0;
  if (!(lengthPenalty >= 0 && lengthPenalty <= 10)) bad("length_penalty", `must be in [0, 10], got ${lengthPenalty}`);
  if (lengthPenalty !== 0 && beam === 0) bad("length_penalty", "applies to beam search only; give beam=K too");
  // beam search is deterministic: a sampling option next to beam=K would be silently ignored, so it is refused
  // (as the CLI refuses --beam with --temperature)
  if (beam > 0) {
    for (const param of ["temperature", "top_k", "top_p", "seed", "argmax"]) {
      if (get(param) !== undefined) bad(param, "applies to sampling; beam search is deterministic — drop it or beam");
    }
  }
  return {
    beam, lengthPenalty, novelty: flag("novelty"),
    length, temperature, topK, topP, prime,
    argmax: argmaxRaw === "" || argmaxRaw === "1" || argmaxRaw === "true",
    seed: seedArg ?? crypto.getRandomValues(new Uint32Array(1))[0],
    seedGiven: seedArg !== undefined,
    stop: stop ? [stop] : [],
    unknown: unknown as UnknownPolicy,
  };
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new HttpError(413, `request body is ${declared} bytes, over the limit of ${limit}`);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > limit) throw new HttpError(413, `request body is over the limit of ${limit} bytes`);
    parts.push(part);
  }
  return Buffer.concat(parts).toString("utf8");
}

export function createServer(opts: ServerOptions): CharLSTMServer {
  const { bytes, loaded, name = "model.safetensors" } = opts.checkpoint;
  // serialized once: a long history (10^6 points is ~70 MB of JSON) must not stall the loop at every request
  const history = JSON.stringify(historyJson(loaded));
  const { model, vocab } = loaded;
  const maxLength = opts.maxLength ?? 10_000, maxConcurrent = opts.maxConcurrent ?? 4;
  const maxBodyBytes = opts.maxBodyBytes ?? 65_536, maxPrime = opts.maxPrime ?? 10_000, maxBeam = opts.maxBeam ?? 16;
  const pool = new WorkspacePool(model);
  const stats = { active: 0, started: 0 };
  const info = JSON.stringify({
    name,
    ...checkpointSummary(loaded),
    vocab: vocab.chars,
    backend: model.kernels.name,
    max_length: maxLength, max_concurrent: maxConcurrent, max_beam: maxBeam, novelty: Boolean(opts.novelty),
  });

  async function sampleStream(req: http.IncomingMessage, res: http.ServerResponse, params: Record<string, string>): Promise<void> {
    for (const k of Object.keys(params)) {
      if (!SAMPLE_PARAMS.includes(k)) throw new HttpError(400, `unknown parameter ${k}; known: ${SAMPLE_PARAMS.join(", ")}`, k);
    }
    const o = parseSampleParams((k) => params[k], { maxLength, maxPrime, maxBeam });
    if (o.novelty && !opts.novelty) throw new HttpError(400, "novelty=1 needs the training text: start the server with --novelty-text FILE", "novelty");
    if (stats.active >= maxConcurrent) {
      throw new HttpError(429, `${maxConcurrent} generations are already running (--max-concurrent); retry shortly`, undefined, { "Retry-After": "1" });
    }
    const lease = pool.borrow();
    stats.active++;
    stats.started++;
    let closed = false;
    res.on("close", () => { closed = true; });
    try {
      // the one generation stream (generate.ts): sampling or beam search, the prime and the novelty matching
      // included, in ~8 ms slices with a turn of the event loop between them; a closed connection stops it
      const events = generate(lease.model, vocab, {
        length: o.length, prime: o.prime, stop: o.stop, unknown: o.unknown,
        temperature: o.temperature, topK: o.topK, topP: o.topP, argmax: o.argmax, seed: o.seed,
        beam: o.beam, lengthPenalty: o.lengthPenalty,
        novelty: o.novelty && opts.novelty ? { index: opts.novelty, minRun: 20 } : undefined,
      }, { signal: { get aborted() { return closed || res.destroyed; } }, sliceMs: SLICE_MS, chunk: SSE_CHUNK });
      // up to "ready" the stream checks the request and encodes the prime: its errors are the request's (400)
      try {
        await events.next();
      } catch (e) {
        const message = messageIn(e, paramSpelling);
        throw new HttpError(400, message, /^stop\b/.test(message) ? "stop" : "prime");
      }
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no", "X-Seed": String(o.seed) });
      res.flushHeaders();
      let generated = 0;
      try {
        for await (const ev of events) {
          if (ev.type === "ready") continue;
          if (ev.type === "text") {
            if (closed || res.destroyed) break;   // the client left: its 'close' has fired, no 'drain' will come
            generated += [...ev.text].length;
            if (!res.write(`data: ${JSON.stringify({ text: ev.text })}\n\n`) && !closed && !res.destroyed) {
              await new Promise<void>((resolve) => {
                const go = () => { res.off("drain", go); res.off("close", go); resolve(); };
                res.on("drain", go);
                res.on("close", go);
              });
            }
            continue;
          }
          if (closed || res.destroyed) break;
          const summary: Record<string, unknown> = { length: generated, seed: o.seed };
          if (o.beam > 0) Object.assign(summary, { text: ev.text, log_prob: ev.logProb, score: ev.score, stopped: ev.stopped, beam: o.beam });
          if (ev.novelty) summary.novelty = ev.novelty;
          res.end(`event: done\ndata: ${JSON.stringify(summary)}\n\n`);
        }
      } catch (e) {
        // after the headers a failure (a model whose logits are not finite) ends the stream with an error event
        if (!res.destroyed) res.end(`event: error\ndata: ${JSON.stringify({ error: (e as Error)?.message ?? String(e) })}\n\n`);
      }
    } finally {
      stats.active--;
      lease.release();
    }
  }

  async function serveFile(res: http.ServerResponse, pathname: string): Promise<void> {
    const root = opts.webRoot;
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      throw new HttpError(400, "malformed path");
    }
    if (rel.endsWith("/")) rel += "index.html";
    const file = root ? normalize(join(root, rel)) : "";
    if (root && !file.startsWith(normalize(root + sep))) throw new HttpError(404, `no such path: ${pathname}`);
    let data: Buffer | undefined;
    if (root) {
      try {
        if ((await stat(file)).isFile()) data = await readFile(file);
      } catch { /* not there */ }
    }
    if (!data) {
      if (pathname === "/" || pathname === "/index.html") {
        res.writeHead(200, { "Content-Type": TYPES[".html"], "Cache-Control": "no-store" });
        res.end(res.req.method === "HEAD" ? undefined : NOT_BUILT);
        return;
      }
      throw new HttpError(404, `no such path: ${pathname}`);
    }
    const hashed = pathname.startsWith("/assets/");
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Content-Length": data.length,
      "Cache-Control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    });
    res.end(res.req.method === "HEAD" ? undefined : data);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      // origin-form "/path?…" or absolute-form "http://host:port/path"; a malformed one ("http://[", a bad port)
      // is the client's error
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      throw new HttpError(400, `malformed request target ${JSON.stringify((req.url ?? "").slice(0, 200))}`);
    }
    const method = req.method ?? "GET";
    const allow = (methods: string[]): void => {
      if (!methods.includes(method)) throw new HttpError(405, `${method} is not allowed on ${url.pathname}; use ${methods.join(" or ")}`, undefined, { Allow: methods.join(", ") });
    };
    if (method !== "POST" && Number(req.headers["content-length"] ?? 0) > maxBodyBytes) {
      throw new HttpError(413, `request body is over the limit of ${maxBodyBytes} bytes`);
    }
    switch (url.pathname) {
      case "/api/model":
        allow(["GET", "HEAD"]);
        res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(info), "Cache-Control": "no-store" });
        res.end(method === "HEAD" ? undefined : info);
        return;
      case "/api/history":
        allow(["GET", "HEAD"]);
        res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(history), "Cache-Control": "no-store" });
        res.end(method === "HEAD" ? undefined : history);
        return;
      case "/api/checkpoint":
        allow(["GET", "HEAD"]);
        res.writeHead(200, {
          "Content-Type": "application/octet-stream", "Content-Length": bytes.length, "Cache-Control": "no-store",
          "Content-Disposition": `attachment; filename="${name.replace(/[^\w.-]/g, "_")}"`,
        });
        res.end(method === "HEAD" ? undefined : bytes);
        return;
      case "/api/sample": {
        allow(["GET", "POST"]);
        let params: Record<string, string> = {};
        if (method === "POST") {
          const type = req.headers["content-type"] ?? "";
          if (!/^application\/json\b/.test(type)) throw new HttpError(415, "POST /api/sample takes a JSON object (Content-Type: application/json)");
          let body: unknown;
          try {
            body = JSON.parse(await readBody(req, maxBodyBytes));
          } catch (e) {
            if (e instanceof HttpError) throw e;
            throw new HttpError(400, "the body is not valid JSON", "body");
          }
          if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "the body must be a JSON object", "body");
          for (const [k, v] of Object.entries(body)) {
            if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw new HttpError(400, `${k} must be a string, number or boolean`, k);
            params[k] = String(v);
          }
        } else {
          // by hand, not URLSearchParams: it turns bytes that are not UTF-8 into U+FFFD silently
          for (const part of url.search.slice(1).split("&")) {
            if (part === "") continue;   // "a=1&&b=2": an empty piece names nothing
            const eq = part.indexOf("=");
            const rawKey = eq < 0 ? part : part.slice(0, eq), rawValue = eq < 0 ? "" : part.slice(eq + 1);
            const decode = (raw: string, what: string): string => {
              try {
                return decodeURIComponent(raw.replace(/\+/g, " "));
              } catch {
                throw new HttpError(400, `${what} is not valid percent-encoded UTF-8: ${JSON.stringify(raw.slice(0, 60))}`, what === "a parameter name" ? "" : what);
              }
            };
            const k = decode(rawKey, "a parameter name");
            if (k === "") throw new HttpError(400, `a parameter has no name (${JSON.stringify(part.slice(0, 60))}); known: ${SAMPLE_PARAMS.join(", ")}`, "");
            const v = decode(rawValue, k);
            if (k in params) {
              const times = url.search.slice(1).split("&").filter((q) => { try { return decodeURIComponent(q.split("=")[0].replace(/\+/g, " ")) === k; } catch { return false; } }).length;
              throw new HttpError(400, `${k} is given ${times} times`, k);
            }
            params[k] = v;
          }
        }
        await sampleStream(req, res, params);
        return;
      }
      default:
        if (url.pathname.startsWith("/api/")) throw new HttpError(404, `no such endpoint: ${url.pathname}; try /api/model, /api/history, /api/checkpoint or /api/sample`);
        allow(["GET", "HEAD"]);
        await serveFile(res, url.pathname);
    }
  }

  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(ISOLATION)) res.setHeader(k, v);
    if (opts.onRequest) {
      const t0 = performance.now(), onRequest = opts.onRequest;
      let logged = false;
      const log = (aborted: boolean) => {
        if (logged) return;
        logged = true;
        let path = (req.url ?? "/").split("?")[0];
        if (path.length > 200) path = path.slice(0, 200) + "…";
        onRequest({ method: req.method ?? "GET", path, status: res.statusCode, ms: performance.now() - t0, aborted });
      };
      res.once("finish", () => log(false));
      res.once("close", () => log(!res.writableFinished));
    }
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      if (e instanceof HttpError) {
        // a refused body is not read: close the connection after the reply rather than drain it
        const headers = e.status === 413 ? { ...e.headers, Connection: "close" } : e.headers;
        sendJson(res, e.status, e.param !== undefined ? { error: e.message, param: e.param } : { error: e.message }, headers);
      } else {
        sendJson(res, 500, { error: `internal error: ${(e as Error)?.message ?? String(e)}` });
      }
    });
  }) as CharLSTMServer;
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooBig = err.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify({ error: tooBig ? "request headers or URL too large (POST long primes as JSON)" : "malformed request" });
    const head = Object.entries({ ...ISOLATION, "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)), Connection: "close" })
      .map(([k, v]) => `${k}: ${v}\r\n`).join("");
    socket.end(`HTTP/1.1 ${tooBig ? "431 Request Header Fields Too Large" : "400 Bad Request"}\r\n${head}\r\n${body}`);
  });
  server.stats = () => ({ ...stats, workspaces: pool.allocated });
  return server;
}
