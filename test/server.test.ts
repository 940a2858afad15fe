// The HTTP API of `char-lstm serve` against a real server on 127.0.0.1 (port 0): model info, checkpoint
// bytes, SSE streaming (incremental, exact length, reproducible, equal to the library's sampler), every
// refusal with its status and named parameter, the concurrency limit, client disconnects, a long
// generation not blocking other requests, static files, the isolation headers, and the CLI command.

import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createServer, type CharLSTMServer, type ServerOptions } from "../src/server/server.js";
import { decodeCheckpoint } from "../src/checkpoint.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { sampleText } from "../src/sample.js";
import { main } from "../src/cli/main.js";

const FIXTURE = fileURLToPath(new URL("../../test/fixtures/tiny.safetensors", import.meta.url));
const bytes = readFileSync(FIXTURE);
const loaded = decodeCheckpoint(bytes, jsKernels("f32"), FIXTURE);

async function start(opts: Partial<ServerOptions> = {}): Promise<{ server: CharLSTMServer; base: string }> {
  const server = createServer({ checkpoint: { bytes, loaded, name: "tiny.safetensors" }, ...opts });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

function request(url: string, opts: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}
const json = (r: Reply) => JSON.parse(r.body.toString("utf8"));

interface SseEvent { event: string; data: string }

/** An SSE stream: events as they arrive, a promise for the end, and a way to hang up. */
function openSse(url: string, opts: { method?: string; body?: string } = {}) {
  const events: SseEvent[] = [];
  const listeners: (() => void)[] = [];
  let status = 0, headers: http.IncomingHttpHeaders = {};
  let req!: http.ClientRequest;
  const ended = new Promise<void>((resolve, reject) => {
    req = http.request(url, { method: opts.method ?? "GET", headers: opts.body ? { "Content-Type": "application/json" } : {} }, (res) => {
      status = res.statusCode!;
      headers = res.headers;
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        buf += d;
        for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { event: "message", data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) ev.event = line.slice(7);
            else if (line.startsWith("data: ")) ev.data += line.slice(6);
          }
          events.push(ev);
          for (const l of listeners.splice(0)) l();
        }
      });
      res.on("end", () => resolve());
      res.on("close", () => resolve());
    });
    req.on("error", (e) => (req.destroyed ? resolve() : reject(e)));
    req.end(opts.body);
  });
  return {
    events,
    get status() { return status; },
    get headers() { return headers; },
    ended,
    text: () => events.filter((e) => e.event === "message").map((e) => JSON.parse(e.data).text as string).join(""),
    /** Resolves once at least n events have arrived. */
    waitFor: (n: number) => new Promise<void>((resolve) => {
      const check = () => (events.length >= n ? resolve() : listeners.push(check));
      check();
    }),
    close: () => req.destroy(),
  };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const isolated = (h: http.IncomingHttpHeaders, what: string) => {
  assert.equal(h["cross-origin-opener-policy"], "same-origin", what);
  assert.equal(h["cross-origin-embedder-policy"], "require-corp", what);
};

test("server: /api/model and /api/checkpoint", async () => {
  const { server, base } = await start();
  try {
    const r = await request(`${base}/api/model`);
    assert.equal(r.status, 200);
    assert.match(String(r.headers["content-type"]), /application\/json/);
    const m = json(r);
    assert.equal(m.layers, 1);
    assert.equal(m.hidden, 32);
    assert.equal(m.vocab_size, 78);
    assert.deepEqual(m.vocab, loaded.vocab.chars);
    assert.equal(m.params, loaded.model.numParams);
    assert.equal(m.step, 4000);
    assert.ok(Math.abs(m.best_val_bpc - loaded.state!.bestVal! / Math.LN2) < 1e-12);
    const c = await request(`${base}/api/checkpoint`);
    assert.equal(c.status, 200);
    assert.equal(c.headers["content-type"], "application/octet-stream");
    assert.ok(c.body.equals(bytes));
    assert.equal(decodeCheckpoint(new Uint8Array(c.body), jsKernels("f32")).model.numParams, m.params);
    const head = await request(`${base}/api/model`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  } finally {
    await stop(server);
  }
});

test("server: SSE streams the sampler's text, exact length, same seed same text", async () => {
  const { server, base } = await start();
  try {
    const q = "prime=The%20whale&length=1500&temperature=0.8&top_k=20&top_p=0.95&seed=42";
    const s = openSse(`${base}/api/sample?${q}`);
    await s.ended;
    assert.equal(s.status, 200);
    assert.match(String(s.headers["content-type"]), /^text\/event-stream/);
    isolated(s.headers, "sse");
    assert.equal(s.headers["x-seed"], "42");
    const text = s.text();
    assert.equal([...text].length, 1500);
    assert.ok(s.events.filter((e) => e.event === "message").length > 10, "many small events, not one");
    const last = s.events.at(-1)!;
    assert.equal(last.event, "done");
    assert.deepEqual(JSON.parse(last.data), { length: 1500, seed: 42 });
    // the library's sampler with the same options gives the same characters
    const lib = sampleText(loaded.model, loaded.vocab, { prime: "The whale", length: 1500, temperature: 0.8, topK: 20, topP: 0.95, seed: 42 });
    assert.equal(text, lib);
    const again = openSse(`${base}/api/sample?${q}`);
    await again.ended;
    assert.equal(again.text(), text);
    const other = openSse(`${base}/api/sample?${q.replace("seed=42", "seed=43")}`);
    await other.ended;
    assert.notEqual(other.text(), text);
    // POST with a JSON body: the same parameters, the same text
    const post = openSse(`${base}/api/sample`, { method: "POST", body: JSON.stringify({ prime: "The whale", length: 1500, temperature: 0.8, top_k: 20, top_p: 0.95, seed: 42 }) });
    await post.ended;
    assert.equal(post.text(), text);
    // length 0 is a valid, empty generation
    const empty = openSse(`${base}/api/sample?length=0&seed=1`);
    await empty.ended;
    assert.equal(empty.text(), "");
    assert.equal(empty.events.at(-1)!.event, "done");
  } finally {
    await stop(server);
  }
});

test("server: events arrive while the generation is still running", async () => {
  const { server, base } = await start({ maxLength: 10_000_000 });
  try {
    const s = openSse(`${base}/api/sample?length=5000000&seed=1`);
    await s.waitFor(3);
    assert.equal(server.stats().active, 1, "the first events came before the end");
    assert.ok(s.events.slice(0, 3).every((e) => e.event === "message"));
    s.close();
    await until(() => server.stats().active === 0, "the generation to stop after the client left");
  } finally {
    await stop(server);
  }
});

test("server: invalid parameters are 400 naming the parameter; length limit", async () => {
  const { server, base } = await start({ maxLength: 1000 });
  try {
    const cases: [string, string, RegExp][] = [
      ["length=abc", "length", /whole number/],
      ["length=2.5", "length", /whole number/],
      ["length=-1", "length", /≥ 0/],
      ["length=1001", "length", /limit of 1000/],
      ["temperature=0", "temperature", /\(0, 100\]/],
      ["temperature=", "temperature", /number/],
      ["top_k=-2", "top_k", /≥ 0/],
      ["top_p=1.5", "top_p", /\(0, 1\]/],
      ["seed=-1", "seed", /0\.\.4294967295/],
      ["seed=x", "seed", /whole number/],
      ["prime=%E2%82%AC%40", "prime", /not in the model's vocabulary: "€", "@".*unknown=skip/],
      ["argmax=maybe", "argmax", /true or false/],
      ["unknown=ignore", "unknown", /error or skip/],
      ["lenght=10", "lenght", /unknown parameter/],
      ["length=5&length=6", "length", /given 2 times/],
    ];
    for (const [q, param, msg] of cases) {
      const r = await request(`${base}/api/sample?${q}`);
      assert.equal(r.status, 400, q);
      isolated(r.headers, q);
      const body = json(r);
      assert.equal(body.param, param, q);
      assert.match(body.error, msg, q);
    }
    assert.equal(server.stats().active, 0);
    // a prime with unknown characters is fine when asked to skip them
    const ok = openSse(`${base}/api/sample?prime=%40The&unknown=skip&length=5&seed=3`);
    await ok.ended;
    assert.equal(ok.status, 200);
    assert.equal([...ok.text()].length, 5);
  } finally {
    await stop(server);
  }
});

test("server: more generations than --max-concurrent get 429; a disconnect frees the slot", async () => {
  const { server, base } = await start({ maxConcurrent: 2, maxLength: 10_000_000 });
  try {
    const a = openSse(`${base}/api/sample?length=5000000&seed=1`);
    const b = openSse(`${base}/api/sample?length=5000000&seed=2`);
    await Promise.all([a.waitFor(1), b.waitFor(1)]);
    assert.equal(server.stats().active, 2);
    const r = await request(`${base}/api/sample?length=10`);
    assert.equal(r.status, 429);
    assert.equal(r.headers["retry-after"], "1");
    assert.match(json(r).error, /2 generations are already running/);
    a.close();
    await until(() => server.stats().active === 1, "a's generation to stop");
    const c = openSse(`${base}/api/sample?length=10&seed=5`);
    await c.ended;
    assert.equal(c.status, 200);
    assert.equal([...c.text()].length, 10);
    b.close();
    await until(() => server.stats().active === 0, "every generation to stop");
    assert.equal(server.stats().started, 3);
    assert.equal(server.stats().workspaces, 2, "workspaces are reused, one per concurrent generation");
  } finally {
    await stop(server);
  }
});

test("server: other requests are answered while a long generation runs", async () => {
  const { server, base } = await start({ maxLength: 10_000_000 });
  try {
    const s = openSse(`${base}/api/sample?length=5000000&seed=9`);
    await s.waitFor(1);
    for (let i = 0; i < 3; i++) assert.equal((await request(`${base}/api/model`)).status, 200);
    const short = openSse(`${base}/api/sample?length=50&seed=1`);
    await short.ended;
    assert.equal([...short.text()].length, 50);
    assert.equal(server.stats().active, 1, "the long generation is still running");
    assert.equal(s.events.at(-1)!.event, "message");
    s.close();
    await until(() => server.stats().active === 0, "the long generation to stop");
  } finally {
    await stop(server);
  }
});

test("server: 404, 405, 413, 415 and the isolation headers on every response", async () => {
  const { server, base } = await start({ maxBodyBytes: 1024 });
  try {
    const nf = await request(`${base}/api/nope`);
    assert.equal(nf.status, 404);
    assert.match(json(nf).error, /no such endpoint/);
    isolated(nf.headers, "404");
    const nf2 = await request(`${base}/missing.js`);
    assert.equal(nf2.status, 404);
    assert.match(json(nf2).error, /no such path/);
    const del = await request(`${base}/api/model`, { method: "DELETE" });
    assert.equal(del.status, 405);
    assert.equal(del.headers.allow, "GET, HEAD");
    const put = await request(`${base}/api/sample`, { method: "PUT" });
    assert.equal(put.status, 405);
    const big = await request(`${base}/api/sample`, { method: "POST", body: JSON.stringify({ prime: "a".repeat(5000) }), headers: { "Content-Type": "application/json" } })
      .catch((e: Error) => ({ status: -1, error: e }) as unknown as Reply);
    assert.equal(big.status, 413);
    const notJson = await request(`${base}/api/sample`, { method: "POST", body: "length=5", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    assert.equal(notJson.status, 415);
    const badJson = await request(`${base}/api/sample`, { method: "POST", body: "{", headers: { "Content-Type": "application/json" } });
    assert.equal(badJson.status, 400);
    assert.equal(json(badJson).param, "body");
    const longUrl = await request(`${base}/api/sample?prime=${"a".repeat(20_000)}`);
    assert.equal(longUrl.status, 431);
    isolated(longUrl.headers, "431");
    const page = await request(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /npm run build/);
    for (const r of [del, put, big, notJson, badJson, page]) isolated(r.headers, String(r.status));
  } finally {
    await stop(server);
  }
});

test("server: static files of the built page, no escaping the web root", async () => {
  const dir = mkdtempSync(join(tmpdir(), "char-lstm-web-")), root = join(dir, "web");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>page</title>");
  writeFileSync(join(root, "assets", "app-1234.js"), "console.log(1)");
  writeFileSync(join(dir, "secret.txt"), "no");
  const { server, base } = await start({ webRoot: root });
  try {
    const index = await request(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(String(index.headers["content-type"]), /text\/html/);
    assert.equal(index.body.toString(), "<!doctype html><title>page</title>");
    isolated(index.headers, "index");
    const js = await request(`${base}/assets/app-1234.js`);
    assert.equal(js.status, 200);
    assert.match(String(js.headers["content-type"]), /text\/javascript/);
    assert.match(String(js.headers["cache-control"]), /immutable/);
    for (const p of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt"]) {
      const r = await request(`${base}${p}`);
      assert.equal(r.status, 404, p);
    }
  } finally {
    await stop(server);
  }
});

test("cli: char-lstm serve prints its URL, serves, logs each request (not with --quiet), and stops on the signal", async () => {
  const ac = new AbortController();
  let out = "", err = "";
  const running = main(["serve", FIXTURE, "--port", "0", "--backend", "js", "--max-length", "50"], { out: (s) => (out += s), err: (s) => (err += s), tty: false, signal: ac.signal });
  await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(out), "the URL to be printed");
  const base = /http:\/\/127\.0\.0\.1:\d+/.exec(out)![0];
  const m = json(await request(`${base}/api/model`));
  assert.equal(m.hidden, 32);
  assert.equal(m.max_length, 50);
  assert.equal((await request(`${base}/api/sample?length=51`)).status, 400);
  const s = openSse(`${base}/api/sample?length=20&seed=1`);
  await s.ended;
  assert.equal([...s.text()].length, 20);
  // one line per request on stderr: method, path (no query), status, milliseconds
  await until(() => /GET \/api\/sample 200 /.test(err), "the stream's log line");
  assert.match(err, /^char-lstm: GET \/api\/model 200 \d+ ms$/m);
  assert.match(err, /^char-lstm: GET \/api\/sample 400 \d+ ms$/m);
  assert.match(err, /^char-lstm: GET \/api\/sample 200 \d+ ms$/m);
  assert.doesNotMatch(err, /length=/, "no query in the log");
  ac.abort();
  assert.equal(await running, 0, err);
  assert.match(err, /server stopped/);
  await assert.rejects(request(`${base}/api/model`));

  // --quiet: no request lines
  const ac3 = new AbortController();
  let out3 = "", err3 = "";
  const quiet = main(["serve", FIXTURE, "--port", "0", "--backend", "js", "--quiet"], { out: (s) => (out3 += s), err: (s) => (err3 += s), tty: false, signal: ac3.signal });
  await until(() => /http:\/\/127\.0\.0\.1:\d+\//.test(out3), "the URL to be printed");
  const base3 = /http:\/\/127\.0\.0\.1:\d+/.exec(out3)![0];
  assert.equal((await request(`${base3}/api/model`)).status, 200);
  assert.equal((await request(`${base3}/no-such-file`)).status, 404);
  ac3.abort();
  assert.equal(await quiet, 0, err3);
  assert.doesNotMatch(err3, /GET /);

  let err2 = "";
  const code = await main(["serve", FIXTURE, "--port", "70000"], { out: () => {}, err: (s) => (err2 += s), tty: false, signal: ac.signal });
  assert.equal(code, 2);
  assert.match(err2, /--port must be in 0\.\.65535/);
});
