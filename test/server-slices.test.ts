// The server under long primes and malformed request targets (docs/reliability.md, issue "never lose a run,
// round two", finding 12 and the HTTP items): a long prime is read in ~8 ms slices after the headers, as the
// generation is, so /api/model is answered while four 10,000-character primes are being read; the sliced
// prime gives the same text as the library's sampler, and a beam search's prime is sliced the same way; "GET http://[" and a bad port are 400, not 500.
// Ordering is asserted (which reply came first), never a duration; every wait is bounded.

import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { createServer, type CharLSTMServer } from "../src/server/server.js";
import { decodeCheckpoint, encodeCheckpoint } from "../src/checkpoint.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { CharLSTM } from "../src/model.js";
import { Vocab } from "../src/data/vocab.js";
import { Rng } from "../src/rng.js";
import { sampleText } from "../src/sample.js";
import { beamSearch } from "../src/beam.js";

const vocab = new Vocab([..."\n abcdefghijklmnopqrstuvwxyz.,"].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
// big enough that reading a 10,000-character prime is many 8 ms slices on the js kernels
const net1 = new CharLSTM({ vocabSize: vocab.size, hidden: 64, layers: 1, dropout: 0 }, jsKernels("f32"), new Rng(5));
const bytes = encodeCheckpoint(net1, vocab);
const loaded = decodeCheckpoint(bytes, jsKernels("f32"));

async function start(): Promise<{ server: CharLSTMServer; base: string; port: number }> {
  const server = createServer({ checkpoint: { bytes, loaded, name: "wide.safetensors" }, maxConcurrent: 8 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, base: `http://127.0.0.1:${port}`, port };
}

async function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** POST /api/sample; calls `onFirstData` at its first SSE data event; resolves with the generated text. */
function post(base: string, body: object, on: { headers?(): void; firstData?(): void }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/sample`, { method: "POST", headers: { "Content-Type": "application/json" } }, (res) => {
      on.headers?.();
      let buf = "", first = true;
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        buf += d;
        if (first && buf.includes("data: ")) { first = false; on.firstData?.(); }
      });
      res.on("end", () => {
        const text = buf.split("\n\n").filter((b) => b.startsWith("data: ")).map((b) => JSON.parse(b.slice(6)).text as string).join("");
        resolve({ status: res.statusCode!, text });
      });
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const LONG_PRIME = "call me ishmael. some years ago, never mind how long precisely, having little money in my purse. ".repeat(110).slice(0, 10_000);

/**
 * Four generations with LONG_PRIME at once (`bodies` are their parameters); once all four have their headers,
 * GET /api/model. Resolves with the generated texts; asserts /api/model answered before any generation sent
 * text (the primes are read in slices), and that every slot was freed.
 */
async function fourLongPrimes(bodies: object[]): Promise<string[]> {
  const { server, base } = await start();
  try {
    const order: string[] = [];
    let headers = 0;
    let allHeaders!: () => void;
    const headersIn = new Promise<void>((resolve) => (allHeaders = resolve));
    const streams = bodies.map((body, i) => post(base, { prime: LONG_PRIME, length: 20, ...body }, {
      headers: () => { if (++headers === bodies.length) allHeaders(); },
      firstData: () => order.push(`stream ${i}`),
    }));
    // the headers go out before the prime is read (a beam search's after its first chunk), so a client
    // learns at once that its request was taken
    await headersIn;
    const model = await new Promise<number>((resolve, reject) => {
      http.get(`${base}/api/model`, (res) => { res.resume(); res.on("end", () => { order.push("model"); resolve(res.statusCode!); }); }).on("error", reject);
    });
    assert.equal(model, 200);
    const results = await Promise.all(streams);
    assert.equal(order[0], "model", `GET /api/model waited for the long primes: ${order.join(", ")}`);
    assert.equal(order.length, bodies.length + 1);
    results.forEach((r) => assert.equal(r.status, 200));
    assert.equal(server.stats().active, 0);
    return results.map((r) => r.text);
  } finally {
    await stop(server);
  }
}

test("finding 12: four 10,000-character primes are read in slices: /api/model answers before any of them generates", { timeout: 180_000 }, async () => {
  const texts = await fourLongPrimes([0, 1, 2, 3].map((i) => ({ seed: 10 + i })));
  // the sliced prime leaves the same state as reading it in one go
  for (const i of [0, 3]) assert.equal(texts[i], sampleText(loaded.model, vocab, { prime: LONG_PRIME, length: 20, seed: 10 + i }), `stream ${i}`);
});

test("beam search reads a long prime in slices too: /api/model answers before any beam streams; same beams as the library", { timeout: 180_000 }, async () => {
  const beams = [2, 3, 4, 5];
  const texts = await fourLongPrimes(beams.map((beam) => ({ beam })));
  for (const i of [0, 3]) assert.equal(texts[i], beamSearch(loaded.model, vocab, { prime: LONG_PRIME, length: 20, beams: beams[i] })[0].text, `beam ${beams[i]}`);
});

test("finding 12: a client that leaves while its prime is read frees its slot", { timeout: 60_000 }, async () => {
  const { server, base } = await start();
  try {
    const prime = "the whale ".repeat(1000);
    const req = http.request(`${base}/api/sample`, { method: "POST", headers: { "Content-Type": "application/json" } }, (res) => { res.resume(); req.destroy(); });
    req.on("error", () => {});
    req.end(JSON.stringify({ prime, length: 10 }));
    for (let i = 0; i < 600 && (server.stats().started === 0 || server.stats().active > 0); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(server.stats().started, 1);
    assert.equal(server.stats().active, 0, "the abandoned prime stopped and returned its slot");
  } finally {
    await stop(server);
  }
});

/** A raw request line; resolves with the status line of the reply. */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1", () => sock.write(head));
    let buf = "";
    sock.setEncoding("utf8");
    sock.on("data", (d: string) => { buf += d; if (buf.includes("\r\n")) { resolve(buf.slice(0, buf.indexOf("\r\n"))); sock.destroy(); } });
    sock.on("error", reject);
    sock.setTimeout(10_000, () => { sock.destroy(); reject(new Error(`no reply to ${JSON.stringify(head)}`)); });
  });
}

test("malformed request targets are 400, not 500; numbers are decimal", { timeout: 60_000 }, async () => {
  const { server, base, port } = await start();
  try {
    for (const target of ["http://[", "http://localhost:99999/api/model", "http://a b/", "http://:80/"]) {
      const status = await raw(port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
      assert.match(status, /^HTTP\/1\.1 400 /, `${target}: ${status}`);
    }
    // an absolute-form target that parses is served as usual
    assert.match(await raw(port, `GET http://localhost:${port}/api/model HTTP/1.1\r\nHost: localhost\r\n\r\n`), /^HTTP\/1\.1 200 /);
    for (const q of ["length=0x10", "length=1e2", "seed=%200x1", "temperature=0x1"]) {
      const status = await new Promise<number>((resolve, reject) => {
        http.get(`${base}/api/sample?${q}`, (res) => { res.resume(); resolve(res.statusCode!); }).on("error", reject);
      });
      assert.equal(status, 400, q);
    }
  } finally {
    await stop(server);
  }
});
