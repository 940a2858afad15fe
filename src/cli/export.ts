// `char-lstm export CKPT --onnx FILE`: a checkpoint's model as ONNX (export/onnx.ts), checked by reading it
// back (export/onnx_check.ts), written atomically, with FILE's .json beside it holding the vocabulary and
// config (also in the model's metadata_props, which ONNX Runtime's JavaScript API does not show). The
// exporter and protobufjs load only when this command runs.

import { basename, extname, join, dirname, resolve } from "node:path";
import type { OnnxInput } from "../export/onnx.js";
import { loadCheckpointFile } from "../io/checkpoint_file.js";
import { writeAtomic } from "../io/node.js";
import { jsKernels } from "../kernels/js/index.js";
import { UsageError, type CommandSpec } from "./args.js";
import { bool, str, type CliContext, type Flags } from "./context.js";

export const exportCmd: CommandSpec = {
  name: "export",
  summary: "Export a checkpoint's model as ONNX for ONNX Runtime (servers, phones, pages; C, C#, Java, Python, JS): one LSTM operator per layer, token ids and state in, logits and state out (docs/onnx.md).",
  usage: "char-lstm export CKPT --onnx FILE [options]",
  positionals: [1, 1],
  flags: [
    { name: "onnx", type: "string", arg: "FILE", help: "write the ONNX model here (required), and the vocabulary and config as JSON beside it (FILE with .json for .onnx)" },
    { name: "input", type: "string", choices: ["auto", "onehot", "gather"], default: "auto", help: "how layer 0 reads token ids: OneHot into the LSTM's W, or Gather from W_ih^T into an identity W; auto: onehot when V ≤ 4H (fewer multiply-adds)" },
    { name: "json", type: "boolean", help: "print {\"onnx\",\"json\",\"bytes\",\"input\",\"nodes\",\"ops\"}" },
    { name: "debug", type: "boolean", help: "print stack traces with errors" },
    { name: "help", type: "boolean", help: "show this help" },
  ],
};

/** The JSON file beside an ONNX file: model.onnx → model.json (any other name gets .json appended). */
export function sidecarPath(onnxPath: string): string {
  const ext = extname(onnxPath);
  return ext.toLowerCase() === ".onnx" ? join(dirname(onnxPath), basename(onnxPath, ext) + ".json") : onnxPath + ".json";
}

export async function exportCommand(flags: Flags, [ckptPath]: string[], ctx: CliContext): Promise<number> {
  const out = str(flags, "onnx");
  if (out === undefined) throw new UsageError("export needs --onnx FILE (the only format so far; the checkpoint itself already loads in PyTorch)");
  if (out === "" || out.endsWith("/")) throw new UsageError("--onnx needs a file name, e.g. --onnx model.onnx");
  const json = sidecarPath(out);
  if ([out, json].some((p) => resolve(p) === resolve(ckptPath))) throw new UsageError(`--onnx ${out} would overwrite the checkpoint ${ckptPath}; name another file`);
  // loaded here, not at startup: the other commands never pay for the protobuf encoder
  const [{ exportOnnx }, { checkOnnx }] = await Promise.all([import("../export/onnx.js"), import("../export/onnx_check.js")]);
  // only the weights and vocabulary are needed: the js kernels decode them without starting a thread pool
  const ck = loadCheckpointFile(ckptPath, jsKernels("f32"));
  const { bytes, info } = exportOnnx(ck.model, ck.vocab, { input: (str(flags, "input") ?? "auto") as OnnxInput | "auto" });
  const summary = checkOnnx(bytes);
  writeAtomic(out, bytes);
  // one line per key: the vocabulary stays one (long) line rather than one line per character
  const text = `{\n${Object.entries(info).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n")}\n}\n`;
  writeAtomic(json, new TextEncoder().encode(text));
  const { layers: L, hidden: H, vocabSize: V } = info.model;
  if (bool(flags, "json")) ctx.out(JSON.stringify({ onnx: out, json, bytes: bytes.length, input: info.input, nodes: summary.nodes, ops: summary.ops }) + "\n");
  else ctx.out(`wrote ${out} (${bytes.length.toLocaleString("en-US")} bytes, opset ${info.opset}: ${L} LSTM layer${L > 1 ? "s" : ""} of ${H}, ${V} characters, ${info.input} input) and ${json}\n`);
  return 0;
}
