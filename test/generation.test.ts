// Beam search, many samples and novelty through the CLI and the HTTP API, on the tiny trained fixture.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { cli } from "./harness.js";
import { spawnBin, waitFor } from "./bounded.js";
import { createServer, type ServerOptions } from "../src/server/server.js";
import { decodeCheckpoint } from "../src/checkpoint.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { beamSearch, beamSteps } from "../src/beam.js";
import { NoveltyIndex } from "../src/novelty.js";
import { sampleBatch } from "../src/sample_batch.js";

const FIXTURE = fileURLToPath(new URL("../../test/fixtures/tiny.safetensors", import.meta.url));
const bytes = readFileSync(FIXTURE);
const loaded = decodeCheckpoint(bytes, jsKernels("f32"), FIXTURE);
const dir = mkdtempSync(join(tmpdir(), "char-lstm-gen-"));
const train = join(dir, "train.txt");
const trainText = "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse, " +
  "and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world.\n";
writeFileSync(train, trainText + "And a second line, about whales and the sea.\n");

test("cli: --beam 1 equals --argmax; --beams-out prints K beams with scores; --json beams", { timeout: 60_000 }, async () => {
  const greedy = await cli("sample", FIXTURE, "--argmax", "--length", "150", "--prime", "The ", "--backend", "js");
  const beam1 = await cli("sample", FIXTURE, "--beam", "1", "--length", "150", "--prime", "The ", "--backend", "js");
  assert.equal(beam1.code, 0, beam1.err);
  assert.equal(beam1.out, greedy.out);
  const all = await cli("sample", FIXTURE, "--beam", "3", "--beams-out", "--length", "40", "--prime", "The ", "--backend", "js");
  const headers = all.out.split("\n").filter((l) => l.startsWith("=== beam "));
  assert.deepEqual(headers.map((h) => h.match(/^=== beam (\d) of 3 \(log-prob -\d+\.\d{4}, score -\d+\.\d{4}\) ===$/)?.[1]), ["1", "2", "3"]);
  const lib = beamSearch(loaded.model, loaded.vocab, { length: 40, beams: 3, prime: "The " });
  const j = await cli("sample", FIXTURE, "--beam", "3", "--beams-out", "--json", "--length", "40", "--prime", "The ", "--backend", "js");
  const objs = j.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(objs.map((o) => o.text), lib.map((b) => b.text));
  assert.deepEqual(objs.map((o) => o.log_prob), lib.map((b) => b.logProb));
  assert.deepEqual(Object.keys(objs[0]).sort(), ["index", "log_prob", "score", "stopped", "text"]);
  for (const [flags, re] of [[["--beam", "2", "--temperature", "0.5"], /--beam is deterministic search; drop --temperature/], [["--beams-out"], /--beams-out needs --beam K/],
    [["--beam", "0"], /--beam must be at least 1/], [["--num-samples", "0"], /--num-samples must be at least 1/], [["--min-run", "5"], /--min-run needs --novelty/]] as const) {
    const r = await cli("sample", FIXTURE, ...flags, "--backend", "js");
    assert.equal(r.code, 2, flags.join(" "));
    assert.match(r.err, re);
    assert.equal(r.err.trim().split("\n").length, 1);
  }
});

test("cli: --num-samples N with separators or --json; sample i equals --num-samples 1 with its derived seed", { timeout: 60_000 }, async () => {
  const base = ["sample", FIXTURE, "--length", "80", "--prime", "A", "--temperature", "0.9", "--backend", "auto"];
  const j = await cli(...base, "--num-samples", "4", "--seed", "10", "--json");
  assert.equal(j.code, 0, j.err);
  const objs = j.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(objs.map((o) => [o.index, o.seed]), [[0, 10], [1, 11], [2, 12], [3, 13]]);
  for (const o of objs) {
    assert.deepEqual(Object.keys(o), ["index", "seed", "text"]);
    const one = await cli(...base, "--num-samples", "1", "--seed", String(o.seed), "--json");
    assert.equal(JSON.parse(one.out).text, o.text, `sample ${o.index}`);
  }
  const t = await cli(...base, "--num-samples", "4", "--seed", "10");
  const parts = t.out.split(/^=== sample \d of 4 \(seed \d+\) ===\n/m);
  assert.equal(parts[0], "");
  assert.deepEqual(parts.slice(1), objs.map((o) => "A" + o.text + "\n"));
  // the library gives the same samples
  const lib = sampleBatch(loaded.model, loaded.vocab, { length: 80, prime: "A", temperature: 0.9, seed: 10 }, 4);
  const js = await cli(...base.slice(0, -1), "js", "--num-samples", "4", "--seed", "10", "--json");
  assert.deepEqual(js.out.trim().split("\n").map((l) => JSON.parse(l).text), lib.map((s) => s.text));
});

test("cli: novelty command, --json, a copied sample is 100 %, sample --novelty reports on stderr", { timeout: 60_000 }, async () => {
  const copied = join(dir, "copied.txt");
  writeFileSync(copied, trainText.slice(20, 120));
  const r = await cli("novelty", copied, "--text", train, "--json");
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { longest_copy: 100, longest_copy_at: { sample: 0, text: 20 }, copied_fraction: 1, min_run: 20 });
  const h = await cli("novelty", copied, "--text", train);
  assert.match(h.out, /longest copy 100 characters \(sample @ 0, text @ 20\); 100\.0% of the sample copied in runs of ≥ 20 characters/);
  const fresh = join(dir, "fresh.txt");
  writeFileSync(fresh, "Zebras quizzically vex jumpy fowl; Call me Ishmael twice? No.");
  const f = JSON.parse((await cli("novelty", fresh, "--text", train, "--json", "--min-run", "10")).out);
  assert.equal(f.longest_copy, "Call me Ishmael".length);
  assert.equal(f.copied_fraction, "Call me Ishmael".length / [...readFileSync(fresh, "utf8")].length);
  assert.equal(f.min_run, 10);
  const s = await cli("sample", FIXTURE, "--length", "200", "--seed", "3", "--novelty", train, "--backend", "js");
  assert.equal(s.code, 0, s.err);
  const gen = s.out.slice(0, -1);   // no prime: stdout is the generated text and a newline
  const want = new NoveltyIndex(readFileSync(train, "utf8")).report(gen, 20);
  assert.equal(s.err, `novelty: longest copy ${want.longest_copy} characters${want.longest_copy ? ` (sample @ ${want.longest_copy_at.sample}, text @ ${want.longest_copy_at.text})` : ""}; ${(100 * want.copied_fraction).toFixed(1)}% of the sample copied in runs of ≥ 20 characters\n`);
  const sj = await cli("sample", FIXTURE, "--length", "100", "--seed", "3", "--num-samples", "2", "--novelty", train, "--min-run", "5", "--json", "--backend", "js");
  for (const line of sj.out.trim().split("\n")) {
    const o = JSON.parse(line);
    assert.deepEqual(o.novelty, new NoveltyIndex(readFileSync(train, "utf8")).report(o.text, 5));
  }
  assert.equal((await cli("novelty", copied)).code, 2);
  const missing = await cli("novelty", copied, "--text", join(dir, "nope.txt"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.txt: no such file/);
});

/** A whole SSE response as its events. */
async function sse(url: string): Promise<{ status: number; events: { event: string; data: any }[]; body: string }> {
  const r = await fetch(url);
  const body = await r.text();
  if (r.status !== 200) return { status: r.status, events: [], body };
  const events = body.split("\n\n").filter(Boolean).map((block) => {
    let event = "message", data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    return { event, data: JSON.parse(data) };
  });
  return { status: r.status, events, body };
}

async function withServer(opts: Partial<ServerOptions>, fn: (base: string) => Promise<void>): Promise<void> {
  const server = createServer({ checkpoint: { bytes, loaded, name: "tiny.safetensors" }, ...opts });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Whether the CLI child `pid` is surely past its start-up (its SIGINT handler set, the generation running):
 * it has used 1.2 s of CPU (Linux: utime + stime in /proc, in clock ticks of 1/100 s; start-up takes a few
 * tenths). Elsewhere: 3 s after it started. (Node catches SIGINT itself from the start, so the SigCgt mask
 * does not tell.)
 */
function pastStartup(pid: number, since: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]) >= 120;   // fields 14 and 15 of stat, counted after the ")" of the name
  } catch {
    return Date.now() - since > 3000;
  }
}

test("cli: --beam streams the committed prefix; SIGINT stops it at once with 130, the printed text a prefix of the search's", { timeout: 120_000 }, async () => {
  for (const K of [8, 1]) {
    const s = spawnBin(["sample", FIXTURE, "--beam", String(K), "--length", "100000", "--prime", "The ", "--backend", "js"], { timeoutMs: 60_000 });
    assert.ok(await waitFor(() => s.out().length > 4), `--beam ${K} streamed its first characters`);
    s.child.kill("SIGINT");
    const r = await s.exit;
    assert.equal(r.timedOut, false, `--beam ${K} ignored SIGINT`);
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /char-lstm: SIGINT: stopping \(again to quit at once\)/);
    assert.ok(r.out.startsWith("The ") && r.out.endsWith("\n"), JSON.stringify(r.out.slice(0, 80)));
    const streamed = r.out.slice(4, -1);
    assert.ok(streamed.length < 100000, `--beam ${K} stopped before the end (${streamed.length} characters)`);
    if (K === 1) {
      // one beam is greedy decoding: the streamed text is --argmax's, character for character
      const g = await cli("sample", FIXTURE, "--argmax", "--length", String(streamed.length), "--prime", "The ", "--backend", "js");
      assert.equal(g.out, r.out);
    } else {
      // committed text never changes: the library's search commits the same characters first
      const steps = beamSteps(loaded.model, loaded.vocab, { length: 100000, beams: K, prime: "The " });
      let lib = "";
      for (let x = steps.next(); !x.done && lib.length < streamed.length; x = steps.next()) lib += x.value;
      assert.ok(lib.startsWith(streamed), "the streamed prefix is the search's committed prefix");
    }
  }
});

test("cli: SIGINT stops --num-samples, --json and a beam search's long prime at once with 130", { timeout: 120_000 }, async () => {
  const primeFile = join(dir, "long-prime.txt");
  writeFileSync(primeFile, "The whale and the sea. ".repeat(40_000));   // 920,000 characters
  for (const args of [["--num-samples", "4", "--length", "100000", "--seed", "1"], ["--json", "--length", "100000", "--seed", "1"],
    ["--beam", "4", "--length", "100000", "--prime-file", primeFile], ["--beam", "4", "--beams-out", "--length", "100000"]]) {
    const since = Date.now();
    const s = spawnBin(["sample", FIXTURE, ...args, "--backend", "js"], { timeoutMs: 60_000 });
    assert.ok(await waitFor(() => pastStartup(s.child.pid!, since) || s.child.exitCode !== null, 60_000), `${args.join(" ")} started`);
    s.child.kill("SIGINT");
    const r = await s.exit;
    assert.equal(r.timedOut, false, `${args.join(" ")} ignored SIGINT`);
    assert.equal(r.code, 130, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, /SIGINT: stopping/);
    if (args[0] !== "--beam" || args.includes("--beams-out")) assert.equal(r.out, "", "nothing half-printed");
  }
});

test("api: beam= streams the committed prefix and ends with the best beam and its log-probability", { timeout: 60_000 }, async () => {
  await withServer({}, async (base) => {
    const lib = beamSearch(loaded.model, loaded.vocab, { length: 300, beams: 4, prime: "The " });
    const r = await sse(`${base}/api/sample?beam=4&length=300&prime=The%20`);
    assert.equal(r.status, 200, r.body);
    const data = r.events.filter((e) => e.event === "message").map((e) => e.data.text as string);
    assert.ok(data.length > 1, "the prefix streams in pieces");
    assert.equal(data.join(""), lib[0].text);
    const done = r.events.at(-1)!;
    assert.equal(done.event, "done");
    assert.equal(done.data.text, lib[0].text);
    assert.equal(done.data.log_prob, lib[0].logProb);
    assert.equal(done.data.length, 300);
    assert.equal(done.data.beam, 4);
    // beam=1 is greedy
    const g = await sse(`${base}/api/sample?beam=1&length=100&prime=The%20`);
    const a = await sse(`${base}/api/sample?argmax=1&length=100&prime=The%20`);
    assert.equal(g.events.at(-1)!.data.text, a.events.filter((e) => e.event === "message").map((e) => e.data.text).join(""));
    for (const [q, param] of [["beam=17", "beam"], ["beam=-1", "beam"], ["beam=2.5", "beam"], ["length_penalty=1", "length_penalty"], ["beam=2&length_penalty=-1", "length_penalty"], ["novelty=1", "novelty"], ["novelty=maybe", "novelty"]]) {
      const bad = await fetch(`${base}/api/sample?${q}`);
      assert.equal(bad.status, 400, q);
      assert.equal(((await bad.json()) as { param: string }).param, param, q);
    }
    // a sampling parameter beside beam= would be ignored: 400 naming it (the CLI's --beam --temperature refusal)
    for (const [q, param] of [["beam=4&temperature=0.5", "temperature"], ["beam=2&top_k=5", "top_k"], ["beam=2&top_p=0.9", "top_p"],
      ["beam=1&seed=3", "seed"], ["beam=3&argmax=1", "argmax"], ["beam=3&argmax=0", "argmax"]]) {
      const bad = await fetch(`${base}/api/sample?${q}`);
      assert.equal(bad.status, 400, q);
      const body = (await bad.json()) as { param: string; error: string };
      assert.equal(body.param, param, q);
      assert.equal(body.error, `${param} applies to sampling; beam search is deterministic — drop it or beam`, q);
    }
    const post = await fetch(`${base}/api/sample`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ beam: 2, temperature: 0.7 }) });
    assert.equal(post.status, 400);
    assert.equal(((await post.json()) as { param: string }).param, "temperature");
    // beam=0 is sampling: its options stay welcome
    assert.equal((await sse(`${base}/api/sample?beam=0&temperature=0.5&seed=2&length=10`)).status, 200);
    const info = (await (await fetch(`${base}/api/model`)).json()) as { max_beam: number; novelty: boolean };
    assert.equal(info.max_beam, 16);
    assert.equal(info.novelty, false);
  });
});

test("api: novelty=1 adds the figures to done when the server has the training text", { timeout: 60_000 }, async () => {
  const index = new NoveltyIndex(readFileSync(train, "utf8"));
  await withServer({ novelty: index, maxBeam: 4 }, async (base) => {
    const r = await sse(`${base}/api/sample?length=150&seed=5&novelty=1`);
    const text = r.events.filter((e) => e.event === "message").map((e) => e.data.text).join("");
    assert.deepEqual(r.events.at(-1)!.data.novelty, index.report(text, 20));
    const b = await sse(`${base}/api/sample?length=50&beam=3&novelty=true&prime=Call`);
    const done = b.events.at(-1)!.data;
    assert.deepEqual(done.novelty, index.report(done.text, 20));
    assert.equal((await fetch(`${base}/api/sample?beam=5`)).status, 400);
    assert.equal(((await (await fetch(`${base}/api/model`)).json()) as { novelty: boolean }).novelty, true);
  });
});
