// The ONNX export without a runtime: the gate permutation, the graph's shape and metadata, the protobuf round
// trip, and the structural check, which must pass every export and catch planted faults. Running the exported
// model in ONNX Runtime against our forward pass is test/onnx.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Vocab } from "../data/vocab.js";
import { jsKernels } from "../kernels/js/index.js";
import { CharLSTM } from "../model.js";
import { Rng } from "../rng.js";
import { checkOnnx } from "./onnx_check.js";
import { cheaperInput, exportOnnx, ONNX_FROM_OURS, reorderGates } from "./onnx.js";
import { decodeModel, encodeModel, type Model } from "./onnx_proto.js";

const vocab = Vocab.fromText("ab c\n🐋é");
const make = (layers: number, hidden = 4) => new CharLSTM({ vocabSize: vocab.size, hidden, layers, dropout: 0.25 }, jsKernels("f32"), new Rng(3));
const f32 = (bytes: Uint8Array) => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));

test("gates: ONNX's i, o, f, c are our row blocks 0, 3, 1, 2", () => {
  assert.deepEqual(ONNX_FROM_OURS, [0, 3, 1, 2]);
  // a (4H, 2) tensor with H = 2 whose every value names its gate block (ours: i=0, f=1, g=2, o=3) and column
  const H = 2, cols = 2;
  const ours = Float32Array.from({ length: 4 * H * cols }, (_, k) => Math.floor(k / (H * cols)) * 10 + (k % cols));
  const onnx = reorderGates(ours, H, cols);
  assert.deepEqual([...onnx], [0, 1, 0, 1, 30, 31, 30, 31, 10, 11, 10, 11, 20, 21, 20, 21]);
});

test("export: one LSTM per layer, weights reordered, B = [b_ih, b_hh], vocabulary and config in metadata_props", () => {
  for (const L of [1, 3]) {
    const model = make(L);
    const { bytes, info } = exportOnnx(model, vocab);
    const m = decodeModel(bytes);
    const H = 4, V = vocab.size;
    assert.equal(m.graph.node.filter((n) => n.op_type === "LSTM").length, L);
    const meta = Object.fromEntries(m.metadata_props.map((p) => [p.key, p.value]));
    assert.deepEqual(JSON.parse(meta.vocab), vocab.chars);
    assert.ok([...JSON.parse(meta.vocab).join("")].includes("🐋"));
    assert.deepEqual(JSON.parse(meta.model), model.config);
    assert.deepEqual(info.vocab, vocab.chars);
    assert.equal(info.input, "onehot");
    const init = (name: string) => m.graph.initializer.find((t) => t.name === name)!;
    for (let l = 0; l < L; l++) {
      const p = model.p.layers[l], D = l === 0 ? V : H;
      assert.deepEqual(init(`lstm.R_l${l}`).dims, [1, 4 * H, H]);
      assert.deepEqual(f32(init(`lstm.R_l${l}`).raw_data), reorderGates(p.Whh, H, H));
      assert.deepEqual(f32(init(`lstm.W_l${l}`).raw_data), reorderGates(p.Wih, H, D));
      const b = f32(init(`lstm.B_l${l}`).raw_data);
      assert.deepEqual(b.subarray(0, 4 * H), reorderGates(p.bih, H, 1));
      assert.deepEqual(b.subarray(4 * H), reorderGates(p.bhh, H, 1));
    }
    const s = checkOnnx(bytes);
    assert.equal(s.ops.LSTM, L);
    assert.equal(s.floats, model.numParams + 2);   // every weight once, plus OneHot's (off, on) values
  }
});

test("export: gather input reads rows of W_ih^T into an identity W; auto picks the narrower product", () => {
  const model = make(2);
  const { bytes } = exportOnnx(model, vocab, { input: "gather" });
  const s = checkOnnx(bytes);
  assert.equal(s.ops.Gather, 1);
  assert.equal(s.ops.EyeLike, 1);
  assert.equal(s.ops.OneHot, undefined);
  const embed = f32(decodeModel(bytes).graph.initializer.find((t) => t.name === "embed")!.raw_data);
  const W = reorderGates(model.p.layers[0].Wih, 4, vocab.size);
  for (let v = 0; v < vocab.size; v++) for (let r = 0; r < 16; r++) assert.equal(embed[v * 16 + r], W[r * vocab.size + v]);
  assert.equal(cheaperInput({ vocabSize: 512, hidden: 128, layers: 1, dropout: 0 }), "onehot");
  assert.equal(cheaperInput({ vocabSize: 513, hidden: 128, layers: 1, dropout: 0 }), "gather");
  assert.throws(() => exportOnnx(model, new Vocab(["a"])), /vocabulary has 1 characters but the model reads 7/);
});

test("checkOnnx catches planted faults", () => {
  const good = decodeModel(exportOnnx(make(2), vocab).bytes);
  const planted: [string, (m: Model) => void, RegExp][] = [
    ["a node moved before its input is made", (m) => { m.graph.node.push(m.graph.node.shift()!); }, /before it is defined/],
    ["a truncated initializer", (m) => { m.graph.initializer[3].raw_data = m.graph.initializer[3].raw_data.subarray(4); }, /bytes for shape/],
    ["a wrong hidden_size", (m) => { m.graph.node.find((n) => n.op_type === "LSTM")!.attribute![0].i = 5; }, /hidden_size 5/],
    ["an LSTM dropped", (m) => { m.graph.node = m.graph.node.filter((n) => n.name !== "lstm_l1"); }, /reads|LSTM operators/],
    ["an output renamed", (m) => { m.graph.output[0].name = "probs"; }, /graph outputs are/],
    ["a vocabulary of the wrong size", (m) => { m.metadata_props.find((p) => p.key === "vocab")!.value = "[\"a\"]"; }, /vocab has 1 characters/],
    ["an old opset", (m) => { m.opset_import[0].version = 13; }, /opset is 13/],
    ["an operator the export never writes", (m) => { m.graph.node[0].op_type = "Loop"; }, /operator Loop/],
  ];
  assert.doesNotThrow(() => checkOnnx(encodeModel(good)));
  for (const [what, plant, msg] of planted) {
    const m = decodeModel(encodeModel(good));
    plant(m);
    assert.throws(() => checkOnnx(encodeModel(m)), msg, what);
  }
  assert.throws(() => checkOnnx(new Uint8Array([0xff, 0xff, 0xff])), /not an ONNX model/);
});
