// A structural check of a char-lstm ONNX file, read back from its bytes (the JS side of what onnx.checker
// does, for the graphs export/onnx.ts writes): the header, the interface, every value defined once and
// before its use (a topological order), initializer sizes against their shapes, the operators the export uses
// at opset 17, each LSTM's weight shapes against its hidden_size, and the metadata a caller needs to map
// characters to ids. Any failure throws one line naming what is wrong.

import { DataType, decodeModel, type Model, type ValueInfo } from "./onnx_proto.js";
import { ONNX_FORMAT, ONNX_OPSET } from "./onnx.js";

export class OnnxCheckError extends Error {
  override name = "OnnxCheckError";
}

/** Operators a char-lstm export may use, with their input counts [min, max] at opset 17. */
const OPS: Record<string, [number, number]> = {
  OneHot: [3, 3], Gather: [2, 2], ConstantOfShape: [1, 1], EyeLike: [1, 1], Unsqueeze: [2, 2], Split: [1, 2],
  LSTM: [3, 8], Squeeze: [1, 2], Concat: [1, Infinity], MatMul: [2, 2], Add: [2, 2],
};
const ELEM_BYTES: Record<number, number> = { [DataType.FLOAT]: 4, [DataType.INT32]: 4, [DataType.INT64]: 8 };

export interface OnnxSummary {
  nodes: number;
  /** Operator counts, e.g. { LSTM: 2, Squeeze: 2, … }. */
  ops: Record<string, number>;
  initializers: number;
  /** float32 values held by initializers. */
  floats: number;
  vocab: string[];
  config: { vocabSize: number; hidden: number; layers: number };
}

const dims = (v: ValueInfo): (number | string)[] =>
  v.type.tensor_type.shape.dim.map((d) => ("dim_value" in d && d.dim_value !== undefined ? d.dim_value : (d as { dim_param: string }).dim_param));

/** Check the bytes of an exported model; returns what it found, or throws OnnxCheckError. */
export function checkOnnx(bytes: Uint8Array): OnnxSummary {
  let m: Model;
  try {
    m = decodeModel(bytes);
  } catch (e) {
    throw new OnnxCheckError(`not an ONNX model: ${(e as Error).message}`);
  }
  const fail = (msg: string): never => { throw new OnnxCheckError(msg); };
  if (m.ir_version !== 8) fail(`ir_version is ${m.ir_version}, expected 8`);
  const opset = m.opset_import?.find((o) => !o.domain);
  if (opset?.version !== ONNX_OPSET) fail(`default-domain opset is ${opset?.version}, expected ${ONNX_OPSET}`);
  const g = m.graph ?? fail("no graph");

  const meta = new Map((m.metadata_props ?? []).map((p) => [p.key, p.value]));
  if (meta.get("format") !== ONNX_FORMAT) fail(`metadata format is ${meta.get("format")}, expected ${ONNX_FORMAT}`);
  let vocab: string[], config: OnnxSummary["config"];
  try {
    vocab = JSON.parse(meta.get("vocab") ?? "null") as string[];
    config = JSON.parse(meta.get("model") ?? "null") as OnnxSummary["config"];
  } catch {
    return fail("metadata vocab or model is not JSON");
  }
  if (!Array.isArray(vocab) || vocab.some((c) => typeof c !== "string" || [...c].length !== 1)) fail("metadata vocab is not a list of single characters");
  const { vocabSize: V, hidden: H, layers: L } = config ?? fail("no model metadata");
  if (vocab.length !== V) fail(`metadata vocab has ${vocab.length} characters, model says ${V}`);

  // the interface: names, element types, shapes
  const want: [string, number, (number | string)[]][][] = [
    [["tokens", DataType.INT64, ["T", "B"]], ["h0", DataType.FLOAT, [L, "B", H]], ["c0", DataType.FLOAT, [L, "B", H]]],
    [["logits", DataType.FLOAT, ["T", "B", V]], ["hn", DataType.FLOAT, [L, "B", H]], ["cn", DataType.FLOAT, [L, "B", H]]],
  ];
  [g.input ?? [], g.output ?? []].forEach((vis, side) => {
    const got = vis.map((v) => JSON.stringify([v.name, v.type.tensor_type.elem_type, dims(v)]));
    const exp = want[side].map((w) => JSON.stringify(w));
    if (got.join() !== exp.join()) fail(`graph ${side ? "outputs" : "inputs"} are ${got.join(" ")}, expected ${exp.join(" ")}`);
  });

  // values: each defined once (inputs, initializers, node outputs), used only after its definition
  const shapes = new Map<string, number[] | null>();
  const define = (name: string, shape: number[] | null) => {
    if (!name) fail("a value with an empty name");
    if (shapes.has(name)) fail(`value ${name} is defined twice`);
    shapes.set(name, shape);
  };
  for (const v of g.input ?? []) define(v.name, null);
  let floats = 0;
  for (const t of g.initializer ?? []) {
    const n = (t.dims ?? []).reduce((a, b) => a * b, 1);
    const size = ELEM_BYTES[t.data_type] ?? fail(`initializer ${t.name} has data type ${t.data_type}`);
    if ((t.raw_data?.length ?? 0) !== n * size) fail(`initializer ${t.name} holds ${t.raw_data?.length ?? 0} bytes for shape [${t.dims}]`);
    if (t.data_type === DataType.FLOAT) floats += n;
    define(t.name, t.dims ?? []);
  }
  const ops: Record<string, number> = {};
  for (const n of g.node ?? []) {
    const [lo, hi] = OPS[n.op_type] ?? fail(`node ${n.name}: operator ${n.op_type} is not one a char-lstm export uses`);
    const inputs = n.input ?? [];
    if (inputs.length < lo || inputs.length > hi) fail(`node ${n.name}: ${n.op_type} with ${inputs.length} inputs`);
    for (const i of inputs) if (i && !shapes.has(i)) fail(`node ${n.name} reads ${i} before it is defined`);
    ops[n.op_type] = (ops[n.op_type] ?? 0) + 1;
    if (n.op_type === "LSTM") {
      const hs = n.attribute?.find((a) => a.name === "hidden_size")?.i;
      if (hs !== H) fail(`node ${n.name}: hidden_size ${hs}, expected ${H}`);
      const [, W, R, B] = inputs.map((i) => shapes.get(i));
      if (R && R.join() !== [1, 4 * H, H].join()) fail(`node ${n.name}: R has shape [${R}], expected [1,${4 * H},${H}]`);
      if (B && B.join() !== [1, 8 * H].join()) fail(`node ${n.name}: B has shape [${B}], expected [1,${8 * H}]`);
      if (W && (W.length !== 3 || W[0] !== 1 || W[1] !== 4 * H)) fail(`node ${n.name}: W has shape [${W}], expected [1,${4 * H},D]`);
    }
    for (const o of n.output ?? []) if (o) define(o, null);
  }
  if ((ops.LSTM ?? 0) !== L) fail(`${ops.LSTM ?? 0} LSTM operators for ${L} layers`);
  for (const o of g.output ?? []) if (!shapes.has(o.name)) fail(`graph output ${o.name} is never computed`);
  return { nodes: g.node?.length ?? 0, ops, initializers: g.initializer?.length ?? 0, floats, vocab, config };
}
