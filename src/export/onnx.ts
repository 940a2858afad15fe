// A trained CharLSTM as an ONNX model (opset 17, IR version 8), for ONNX Runtime on servers, phones and pages
// without char-lstm. One ONNX `LSTM` operator per layer; the state goes in and comes out, so a caller can
// read a prime in one run and then generate one character per run, feeding back hn and cn.
//
//   inputs   tokens  int64 (T, B)      token ids, time-major (the vocabulary maps characters to ids)
//            h0, c0  float (L, B, H)   initial state of every layer (zeros to start), as nn.LSTM's (h0, c0)
//   outputs  logits  float (T, B, V)   unnormalized log-probabilities of the next character
//            hn, cn  float (L, B, H)   state after the last step
//
//   layer 0 input:  onehot  x = OneHot(tokens, V)              (T, B, V)    LSTM W = W_ih (4H, V)
//                   gather  x = Gather(W_ih^T, tokens)         (T, B, 4H)   LSTM W = I (4H, 4H), made in the graph
//   layer l:        Y_l, Yh_l, Yc_l = LSTM(x, W_l, R_l, B_l, "", h0[l], c0[l])   Y_l: (T, 1, B, H)
//                   x = Squeeze(Y_l, axis 1)                   (T, B, H)
//   head:           logits = MatMul(x, W_y^T) + b_y
//
// ONNX's LSTM computes the same cell as ours (sigmoid, tanh, tanh; no peepholes) but orders the four gate
// blocks of W, R and both biases i, o, f, c where we (and PyTorch) order them i, f, g, o: each (4H, ·) tensor
// is rebuilt from our row blocks [0:H], [3H:4H], [H:2H], [2H:3H]. B is [W_b, R_b] = [b_ih, b_hh], reordered
// alike: ONNX adds the two as nn.LSTM does. Both first-layer inputs give the same logits; they differ in cost:
// the one-hot product costs 4H·V per character and the identity product 16H², so "auto" picks the narrower
// (see docs/onnx.md for the measurement).
//
// Not exported: dropout (training only; sampling never applies it), the optimizer moments, the carried
// training state and the run's history: what is exported is the function from (tokens, state) to
// (logits, state).

import type { ModelConfig } from "../config.js";
import type { Vocab } from "../data/vocab.js";
import { GATES, type FloatArray } from "../kernels/types.js";
import type { CharLSTM } from "../model.js";
import {
  DataType, encodeModel, floatTensor, int64Tensor, intAttr, valueInfo,
  type Model, type Node, type Tensor,
} from "./onnx_proto.js";

export const ONNX_FORMAT = "char-lstm-onnx/1";
export const ONNX_OPSET = 17;
const IR_VERSION = 8;
const VERSION = "0.1.0";
/** protobuf refuses messages of 2 GiB and more; leave room for everything but the weights. */
const MAX_BYTES = 2 ** 31 - 2 ** 20;

/** ONNX's gate order, named as ours: i, o, f, c (its c is our g). */
const ONNX_GATES = ["i", "o", "f", "g"] as const;
/** Row block k of an ONNX gate tensor is row block ONNX_FROM_OURS[k] of ours: [0, 3, 1, 2]. */
export const ONNX_FROM_OURS = ONNX_GATES.map((g) => GATES.indexOf(g));

export type OnnxInput = "onehot" | "gather";

export interface OnnxExportOptions {
  /** How layer 0 reads token ids; "auto" (default) picks the cheaper: onehot when V ≤ 4H, else gather. */
  input?: OnnxInput | "auto";
}

/** What a caller needs beside the graph: the vocabulary and the shape (also in the model's metadata_props). */
export interface OnnxInfo {
  format: string;
  /** vocab[id] is the character of token id (one Unicode code point each). */
  vocab: string[];
  model: ModelConfig;
  input: OnnxInput;
  opset: number;
  inputs: { tokens: string; h0: string; c0: string };
  outputs: { logits: string; hn: string; cn: string };
}

export interface OnnxExport {
  /** The ONNX model file. */
  bytes: Uint8Array;
  info: OnnxInfo;
}

/** The first-layer input that costs fewer multiply-adds per character: 4H·V (one-hot) against 16H² (identity). */
export function cheaperInput(config: ModelConfig): OnnxInput {
  return config.vocabSize <= 4 * config.hidden ? "onehot" : "gather";
}

/** A (4H, cols) gate tensor of ours (i, f, g, o row blocks) in ONNX's order (i, o, f, c), as float32. */
export function reorderGates(src: FloatArray, H: number, cols: number): Float32Array {
  const out = new Float32Array(4 * H * cols), block = H * cols;
  ONNX_FROM_OURS.forEach((ours, k) => out.set(src.subarray(ours * block, (ours + 1) * block), k * block));
  return out;
}

/** The (cols, rows) transpose of a row-major (rows, cols) matrix. */
function transpose(src: FloatArray, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/** The model as ONNX bytes, with the vocabulary and config in its metadata_props and in `info`. */
export function exportOnnx(model: CharLSTM, vocab: Vocab, opts: OnnxExportOptions = {}): OnnxExport {
  const config = { ...model.config };
  const { vocabSize: V, hidden: H, layers: L } = config;
  if (vocab.size !== V) throw new RangeError(`the vocabulary has ${vocab.size} characters but the model reads ${V}`);
  const input = !opts.input || opts.input === "auto" ? cheaperInput(config) : opts.input;
  if (input !== "onehot" && input !== "gather") throw new RangeError(`ONNX input must be onehot, gather or auto, got ${String(input)}`);
  const weights = 4 * model.numParams;
  if (weights > MAX_BYTES) throw new RangeError(`the model's ${(weights / 2 ** 30).toFixed(1)} GiB of weights exceed what one ONNX file holds (2 GiB, protobuf's limit)`);

  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  const node = (op_type: string, name: string, input: string[], output: string[], attribute?: Node["attribute"]) =>
    nodes.push({ name, op_type, input, output, ...(attribute ? { attribute } : {}) });

  // layer 0's input x and its W
  const l0 = model.p.layers[0];
  if (input === "onehot") {
    inits.push(int64Tensor("vocab_size", [], [V]), floatTensor("onehot_values", [2], new Float32Array([0, 1])));
    node("OneHot", "onehot", ["tokens", "vocab_size", "onehot_values"], ["x_l0"]);   // (T, B, V), axis −1
    inits.push(floatTensor("lstm.W_l0", [1, 4 * H, V], reorderGates(l0.Wih, H, V)));
  } else {
    // W_ih·onehot(x) is column x of W_ih, i.e. row x of W_ih^T: the gather yields layer 0's whole input
    // projection, so the LSTM's own W must be the identity
    inits.push(floatTensor("embed", [V, 4 * H], transpose(reorderGates(l0.Wih, H, V), 4 * H, V)));
    node("Gather", "gather", ["embed", "tokens"], ["x_l0"]);                         // (T, B, 4H)
    inits.push(int64Tensor("eye_shape", [2], [4 * H, 4 * H]), int64Tensor("axis_0", [1], [0]));
    node("ConstantOfShape", "zeros", ["eye_shape"], ["zeros_4h"]);                    // float 0 by default
    node("EyeLike", "eye", ["zeros_4h"], ["eye_4h"]);
    node("Unsqueeze", "W_l0", ["eye_4h", "axis_0"], ["lstm.W_l0"]);                 // (1, 4H, 4H)
  }

  // every layer's state: slices of h0 and c0 (L, B, H) along axis 0
  const state = (name: string) => {
    if (L === 1) return [name];
    if (!inits.some((t) => t.name === "split_ones")) inits.push(int64Tensor("split_ones", [L], Array(L).fill(1)));
    const outs = Array.from({ length: L }, (_, l) => `${name}_l${l}`);
    node("Split", `split_${name}`, [name, "split_ones"], outs, [intAttr("axis", 0)]);
    return outs;
  };
  const h0 = state("h0"), c0 = state("c0");
  inits.push(int64Tensor("axis_1", [1], [1]));

  const hn: string[] = [], cn: string[] = [];
  let x = "x_l0";
  for (let l = 0; l < L; l++) {
    const p = model.p.layers[l], D = l === 0 ? V : H;
    if (l > 0) inits.push(floatTensor(`lstm.W_l${l}`, [1, 4 * H, D], reorderGates(p.Wih, H, D)));
    const b = new Float32Array(8 * H);
    b.set(reorderGates(p.bih, H, 1), 0);
    b.set(reorderGates(p.bhh, H, 1), 4 * H);
    inits.push(floatTensor(`lstm.R_l${l}`, [1, 4 * H, H], reorderGates(p.Whh, H, H)), floatTensor(`lstm.B_l${l}`, [1, 8 * H], b));
    const yh = L === 1 ? "hn" : `hn_l${l}`, yc = L === 1 ? "cn" : `cn_l${l}`;
    node("LSTM", `lstm_l${l}`, [x, `lstm.W_l${l}`, `lstm.R_l${l}`, `lstm.B_l${l}`, "", h0[l], c0[l]], [`y_l${l}`, yh, yc],
         [intAttr("hidden_size", H)]);
    node("Squeeze", `squeeze_l${l}`, [`y_l${l}`, "axis_1"], [`h_l${l}`]);          // (T, 1, B, H) → (T, B, H)
    hn.push(yh);
    cn.push(yc);
    x = `h_l${l}`;
  }
  if (L > 1) {
    node("Concat", "concat_hn", hn, ["hn"], [intAttr("axis", 0)]);
    node("Concat", "concat_cn", cn, ["cn"], [intAttr("axis", 0)]);
  }

  inits.push(floatTensor("head.weight_t", [H, V], transpose(model.p.Wy, V, H)), floatTensor("head.bias", [V], Float32Array.from(model.p.by)));
  node("MatMul", "head", [x, "head.weight_t"], ["head_out"]);
  node("Add", "head_bias", ["head_out", "head.bias"], ["logits"]);

  const info: OnnxInfo = {
    format: ONNX_FORMAT, vocab: vocab.chars, model: config, input, opset: ONNX_OPSET,
    inputs: { tokens: "tokens", h0: "h0", c0: "c0" }, outputs: { logits: "logits", hn: "hn", cn: "cn" },
  };
  const doc = `char-lstm character model: ${L} LSTM layer${L > 1 ? "s" : ""} of ${H} units over ${V} characters. ` +
    "Feed token ids (T, B) and the state (h0, c0), each (L, B, H), zeros to start; get logits (T, B, V) and the state (hn, cn) " +
    "to feed back. metadata_props: vocab (JSON list, index = token id), model (JSON config). Dropout is training-only and not in the graph.";
  const onnx: Model = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: "", version: ONNX_OPSET }],
    producer_name: "char-lstm",
    producer_version: VERSION,
    doc_string: doc,
    graph: {
      name: "char_lstm",
      doc_string: doc,
      node: nodes,
      initializer: inits,
      input: [
        valueInfo("tokens", DataType.INT64, ["T", "B"], "token ids, time-major"),
        valueInfo("h0", DataType.FLOAT, [L, "B", H], "initial hidden state of every layer"),
        valueInfo("c0", DataType.FLOAT, [L, "B", H], "initial cell state of every layer"),
      ],
      output: [
        valueInfo("logits", DataType.FLOAT, ["T", "B", V], "unnormalized log-probabilities of the next character"),
        valueInfo("hn", DataType.FLOAT, [L, "B", H], "hidden state after the last step"),
        valueInfo("cn", DataType.FLOAT, [L, "B", H], "cell state after the last step"),
      ],
    },
    metadata_props: [
      { key: "format", value: ONNX_FORMAT },
      { key: "vocab", value: JSON.stringify(vocab.chars) },
      { key: "model", value: JSON.stringify(config) },
      { key: "input", value: input },
    ],
  };
  return { bytes: encodeModel(onnx), info };
}
