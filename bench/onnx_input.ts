// How the first layer of an ONNX export should read token ids, measured in ONNX Runtime's WebAssembly build
// (onnxruntime-web, one thread): OneHot into the LSTM's W = W_ih (4H·V multiply-adds per character) or a
// Gather of W_ih^T rows into an identity W (16H²). Times a 256-character prime as one run (T=256, B=1) and
// 256 one-character generation steps (T=1, B=1, state fed back), best of 5 rounds each, on random weights.
//
//   node dist/bench/onnx_input.js            # the table in docs/onnx.md

import * as ort from "onnxruntime-web";
import { Vocab } from "../src/data/vocab.js";
import { exportOnnx, type OnnxInput } from "../src/export/onnx.js";
import { jsKernels } from "../src/kernels/js/index.js";
import { CharLSTM } from "../src/model.js";
import { Rng } from "../src/rng.js";

ort.env.wasm.numThreads = 1;
const CONFIGS: [number, number, number][] = [[2, 128, 80], [2, 512, 100], [1, 128, 2000]];   // L, H, V
const N = 256, ROUNDS = 9;
const INPUTS = (process.argv[2] ?? "onehot,gather").split(",") as OnnxInput[];

const rows = ["| L×H | V | input | file (bytes) | prime, 256 chars (ms) | 256 steps of 1 char (ms) |", "|---|---|---|---|---|---|"];
for (const [L, H, V] of CONFIGS) {
  const vocab = new Vocab(Array.from({ length: V }, (_, i) => String.fromCodePoint(0x4e00 + i)));
  const model = new CharLSTM({ vocabSize: V, hidden: H, layers: L, dropout: 0 }, jsKernels("f32"), new Rng(1));
  const zeros = (B: number) => new ort.Tensor("float32", new Float32Array(L * B * H), [L, B, H]);
  const ids = (T: number) => new ort.Tensor("int64", BigInt64Array.from({ length: T }, (_, i) => BigInt((i * 7) % V)), [T, 1]);
  const variants = [];
  for (const input of INPUTS) {
    const { bytes } = exportOnnx(model, vocab, { input });
    variants.push({ input, bytes: bytes.length, s: await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 }), prime: Infinity, steps: Infinity });
  }
  // rounds interleave the variants, so a busy moment on a shared machine slows all of them alike
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of variants) {
      let t0 = performance.now();
      await v.s.run({ tokens: ids(N), h0: zeros(1), c0: zeros(1) });
      v.prime = Math.min(v.prime, performance.now() - t0);
      t0 = performance.now();
      let h: ort.Tensor = zeros(1), c: ort.Tensor = zeros(1);
      for (let t = 0; t < N; t++) {
        const out = await v.s.run({ tokens: ids(1), h0: h, c0: c });
        h = out.hn; c = out.cn;
      }
      v.steps = Math.min(v.steps, performance.now() - t0);
    }
  }
  for (const v of variants) {
    rows.push(`| ${L}×${H} | ${V} | ${v.input} | ${v.bytes.toLocaleString("en-US")} | ${v.prime.toFixed(1)} | ${v.steps.toFixed(1)} |`);
    await v.s.release();
  }
}
console.log(rows.join("\n"));
