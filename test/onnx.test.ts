// The ONNX export run in ONNX Runtime (onnxruntime-web: its WebAssembly build, no native download) against
// char-lstm's own forward pass: logits and final states within 1e-4 over 200 characters of a text with
// astral characters, for 1- and 3-layer models (and a 2-layer one through the gather input), batch 1 and 3,
// from zero and from a given state; greedy generation of 200 characters gives the same text from both. Then
// the file through `char-lstm export`, through onnx.checker (Debian's python3-onnx, where installed), and the
// examples of docs/onnx.md as written.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-web";
import { cli } from "./harness.js";
import { encodeCheckpoint } from "../src/checkpoint.js";
import { Vocab } from "../src/data/vocab.js";
import { exportOnnx, type OnnxInput } from "../src/export/onnx.js";
import { decodeModel, encodeModel } from "../src/export/onnx_proto.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { CharLSTM } from "../src/model.js";
import { defaultTrain } from "../src/config.js";
import { Corpus } from "../src/data/corpus.js";
import { Trainer } from "../src/train.js";
import { Rng } from "../src/rng.js";
import { sampleText } from "../src/sample.js";

ort.env.wasm.numThreads = 1;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PY = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "char-lstm-onnx-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const phrase = "The 🐋 whale sails — naïve café, 𝄞 music; 😀 grin! ";
const text = phrase.repeat(12);
const chars = [...text];
const vocab = Vocab.fromText(text);
const N = 200, H = 24, TOL = 1e-4;

/** A model with weights 3× PyTorch's init bound: saturating gates and decisive argmaxes, a harder test. */
function model(layers: number, seed = 7): CharLSTM {
  const m = new CharLSTM({ vocabSize: vocab.size, hidden: H, layers, dropout: 0.5 }, jsKernels("f32"), new Rng(seed));
  for (let i = 0; i < m.params.length; i++) m.params[i] *= 3;
  return m;
}

/** A model trained for a few hundred steps on the text: its greedy generation is the phrase, not one repeated character. */
function trained(layers: number): CharLSTM {
  const corpus = Corpus.fromText(text, { valFrac: 0.1, testFrac: 0 });
  assert.deepEqual(corpus.vocab.chars, vocab.chars);
  const tr = Trainer.create(corpus, { layers, hidden: H, dropout: 0 }, { ...defaultTrain, batch: 4, seq: 16, lr: 1e-2, seed: 3 }, jsKernels("f32"));
  for (let i = 0; i < 300; i++) tr.step();
  return tr.model;
}

/** Token ids of B streams of T characters, time-major (T, B): stream b starts at character 17·b. */
const streams = (T: number, B: number) => Int32Array.from({ length: T * B }, (_, k) => vocab.id(chars[Math.floor(k / B) + 17 * (k % B)]));

/** Our forward pass from state (h0, c0), each (L, B, H): logits (T, B, V) and the final state. */
function ours(m: CharLSTM, ids: Int32Array, T: number, B: number, h0: Float32Array, c0: Float32Array) {
  const L = m.config.layers, S = B * H, ws = m.workspace(B, T);
  ws.x.set(ids);
  ws.caches.forEach((cache, l) => { cache.h.set(h0.subarray(l * S, (l + 1) * S)); cache.c.set(c0.subarray(l * S, (l + 1) * S)); });
  m.forward(ws, T);
  const hn = new Float32Array(L * S), cn = new Float32Array(L * S);
  ws.caches.forEach((cache, l) => { hn.set(cache.h.subarray(T * S, (T + 1) * S), l * S); cn.set(cache.c.subarray(T * S, (T + 1) * S), l * S); });
  return { logits: Float32Array.from(ws.logits.subarray(0, T * B * vocab.size)), hn, cn };
}

/** The exported model in ONNX Runtime on the same inputs. */
async function theirs(s: ort.InferenceSession, ids: Int32Array, T: number, B: number, h0: Float32Array, c0: Float32Array, L: number) {
  const out = await s.run({
    tokens: new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [T, B]),
    h0: new ort.Tensor("float32", h0, [L, B, H]), c0: new ort.Tensor("float32", c0, [L, B, H]),
  });
  assert.deepEqual(out.logits.dims, [T, B, vocab.size]);
  assert.deepEqual(out.hn.dims, [L, B, H]);
  return { logits: out.logits.data as Float32Array, hn: out.hn.data as Float32Array, cn: out.cn.data as Float32Array };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const CASES: [number, OnnxInput][] = [[1, "onehot"], [3, "onehot"], [2, "gather"]];

for (const [L, input] of CASES) {
  test(`ONNX Runtime = our forward: ${L} layer${L > 1 ? "s" : ""}, ${input} input, 200 characters, batch 1 and 3`, async () => {
    const m = model(L);
    const s = await ort.InferenceSession.create(exportOnnx(m, vocab, { input }).bytes);
    const rng = new Rng(11);
    for (const B of [1, 3]) {
      const ids = streams(N, B), S = L * B * H;
      // from zeros, and from a random state (which layer's slice goes where is checked too)
      for (const start of ["zeros", "random"]) {
        const h0 = new Float32Array(S), c0 = new Float32Array(S);
        if (start === "random") for (let i = 0; i < S; i++) { h0[i] = rng.uniform(-1, 1); c0[i] = rng.uniform(-2, 2); }
        const a = ours(m, ids, N, B, h0, c0), b = await theirs(s, ids, N, B, h0, c0, L);
        const d = { logits: maxDiff(a.logits, b.logits), hn: maxDiff(a.hn, b.hn), cn: maxDiff(a.cn, b.cn) };
        console.log(`L=${L} ${input} B=${B} from ${start}: max |Δ| logits ${d.logits.toExponential(2)}, hn ${d.hn.toExponential(2)}, cn ${d.cn.toExponential(2)}`);
        for (const [k, v] of Object.entries(d)) assert.ok(v < TOL, `${k} differ by ${v}`);
        // the logits are far from uniform: a wrong gate order could not pass for a near-constant function
        assert.ok(Math.max(...a.logits) - Math.min(...a.logits) > 2);
      }
      // carried state: two runs of 100 in ONNX Runtime = one run of 200 here
      const zero = new Float32Array(S), half = N / 2;
      const first = await theirs(s, ids.subarray(0, half * B), half, B, zero, zero, L);
      const second = await theirs(s, ids.subarray(half * B), half, B, first.hn, first.cn, L);
      const whole = ours(m, ids, N, B, zero, zero);
      assert.ok(maxDiff(second.logits, whole.logits.subarray(half * B * vocab.size)) < TOL);
      assert.ok(maxDiff(second.hn, whole.hn) < TOL);
    }
    await s.release();
  });
}

test("the comparison catches a gate-order mistake: o and f swapped in every tensor of one layer differ by far more than 1e-4", async () => {
  const m = model(2), H4 = 4 * H;
  const proto = decodeModel(exportOnnx(m, vocab).bytes);
  for (const t of proto.graph.initializer.filter((x) => /^lstm\.[WRB]_l1$/.test(x.name))) {
    // every (4H, cols) block (B holds two: W_b and R_b): swap gate blocks 1 (o) and 2 (f)
    const v = new Float32Array(new Uint8Array(t.raw_data).buffer), cols = v.length / (t.name.startsWith("lstm.B") ? 2 * H4 : H4);
    for (let off = 0; off < v.length; off += H4 * cols) {
      const o = v.slice(off + H * cols, off + 2 * H * cols);
      v.copyWithin(off + H * cols, off + 2 * H * cols, off + 3 * H * cols);
      v.set(o, off + 2 * H * cols);
    }
    t.raw_data = new Uint8Array(v.buffer);
  }
  const s = await ort.InferenceSession.create(encodeModel(proto));
  const ids = streams(N, 1), zero = new Float32Array(2 * H);
  const d = maxDiff(ours(m, ids, N, 1, zero, zero).logits, (await theirs(s, ids, N, 1, zero, zero, 2)).logits);
  console.log(`o and f swapped in layer 1: max |Δ| logits ${d.toFixed(3)}`);
  assert.ok(d > 1e-2, `a wrong gate order gave logits within ${d}`);
  await s.release();
});

test("greedy generation: 200 characters from ONNX Runtime = char-lstm's argmax sampler", async () => {
  for (const [L, input] of CASES) {
    const m = trained(L);
    const prime = "The 🐋 ";
    const expected = sampleText(m, vocab, { length: N, argmax: true, prime, seed: 1 });
    const s = await ort.InferenceSession.create(exportOnnx(m, vocab, { input }).bytes);
    let h: Float32Array = new Float32Array(L * H), c: Float32Array = new Float32Array(L * H), got = "";
    let ids = Int32Array.from([...prime], (ch) => vocab.id(ch));
    for (let n = 0; n < N; n++) {
      const out = await theirs(s, ids, ids.length, 1, h, c, L);
      ({ hn: h, cn: c } = out);
      const last = out.logits.subarray((ids.length - 1) * vocab.size);
      let best = 0;
      for (let v = 1; v < vocab.size; v++) if (last[v] > last[best]) best = v;
      got += vocab.chars[best];
      ids = Int32Array.of(best);
    }
    assert.equal([...got].length, N);
    assert.equal(got, expected, `${L} layers, ${input}`);
    console.log(`L=${L} ${input}: ${JSON.stringify(got.slice(0, 60))}…`);
    assert.ok(new Set(got).size > 10, `a degenerate generation proves little: ${JSON.stringify(got.slice(0, 40))}`);
    await s.release();
  }
});

// ---- the file as the CLI writes it ----

const ckpt = join(dir, "m.safetensors"), onnxPath = join(dir, "m.onnx");
writeFileSync(ckpt, encodeCheckpoint(model(2, 5), vocab));

/** `char-lstm export CKPT --onnx m.onnx --json`, once, for every test that reads the file. */
let exported: ReturnType<typeof cli> | null = null;
const cliExport = () => (exported ??= cli("export", ckpt, "--onnx", onnxPath, "--json"));

test("char-lstm export CKPT --onnx FILE writes FILE and its .json; it runs in ONNX Runtime like the checkpoint", async () => {
  const r = await cliExport();
  assert.equal(r.code, 0, r.err);
  const report = JSON.parse(r.out);
  assert.equal(report.input, "onehot");
  assert.equal(report.ops.LSTM, 2);
  const info = JSON.parse(readFileSync(join(dir, "m.json"), "utf8"));
  assert.deepEqual(info.vocab, vocab.chars);
  assert.deepEqual(info.model, { vocabSize: vocab.size, hidden: H, layers: 2, dropout: 0.5 });
  const s = await ort.InferenceSession.create(readFileSync(onnxPath));
  const ids = streams(N, 1), zero = new Float32Array(2 * H);
  const d = maxDiff(ours(model(2, 5), ids, N, 1, zero, zero).logits, (await theirs(s, ids, N, 1, zero, zero, 2)).logits);
  assert.ok(d < TOL, `logits differ by ${d}`);
  assert.equal((await cli("export", ckpt)).code, 2);
  const before = readFileSync(ckpt);
  const over = await cli("export", ckpt, "--onnx", ckpt);
  assert.equal(over.code, 2);
  assert.match(over.err, /would overwrite the checkpoint/);
  assert.deepEqual(readFileSync(ckpt), before);
  assert.match((await cli("export", ckpt, "--onnx", join(dir, "x.onnx"), "--input", "dense")).err, /--input/);
  assert.equal((await cli("export", join(dir, "missing.safetensors"), "--onnx", join(dir, "y.onnx"))).code, 1);
});

const probe = spawnSync(PY, ["-c", "import onnx; print(onnx.__version__)"], { encoding: "utf8" });
const noOnnx = probe.status === 0 ? false : `${PY} cannot import onnx; install Debian's python3-onnx`;

test("onnx.checker.check_model(full_check=True) accepts every export (python3-onnx)", { skip: noOnnx }, () => {
  const files = CASES.map(([L, input]) => {
    const f = join(dir, `check-${L}-${input}.onnx`);
    writeFileSync(f, exportOnnx(model(L), vocab, { input }).bytes);
    return f;
  });
  const script = "import sys, onnx\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\n    print('ok', f)";
  const r = spawnSync(PY, ["-c", script, ...files], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split("\n").length, files.length);
});

// ---- docs/onnx.md's examples, as written ----

const doc = readFileSync(join(ROOT, "docs/onnx.md"), "utf8");
const block = (lang: string) => {
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(doc);
  assert.ok(m, `docs/onnx.md has a ${lang} block`);
  return m[1];
};
const PRIME = "The 🐋";

/** The sample is LENGTH characters of the vocabulary. */
function checkSample(stdout: string, length: number): void {
  const got = [...stdout.replace(/\n$/, "")];
  assert.equal(got.length, length, JSON.stringify(stdout));
  for (const ch of got) assert.ok(vocab.id(ch) >= 0, `not in the vocabulary: ${JSON.stringify(ch)}`);
}

test("docs/onnx.md: the JavaScript example samples from the exported model as written", async () => {
  assert.equal((await cliExport()).code, 0);
  // beside the package (dist/), so its `import "onnxruntime-web"` resolves as in a user's project
  const here = mkdtempSync(join(ROOT, "dist", "onnx-example-"));
  try {
    writeFileSync(join(here, "sample.mjs"), block("js"));
    const r = spawnSync(process.execPath, [join(here, "sample.mjs"), onnxPath, "60", "0.8", PRIME], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    checkSample(r.stdout, 60);
  } finally {
    rmSync(here, { recursive: true, force: true });
  }
});

const pyOrt = ["python3", PY].find((py) => spawnSync(py, ["-c", "import onnxruntime, numpy"]).status === 0);

test("docs/onnx.md: the Python example samples from the exported model as written (onnxruntime)", { skip: pyOrt ? false : "no python3 with onnxruntime and numpy (pip install onnxruntime numpy)" }, async () => {
  assert.equal((await cliExport()).code, 0);
  const script = join(dir, "sample.py");
  writeFileSync(script, block("python"));
  const r = spawnSync(pyOrt!, [script, onnxPath, "60", "0.8", PRIME], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  checkSample(r.stdout, 60);
});
