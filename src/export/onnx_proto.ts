// The part of ONNX's protobuf schema (onnx.proto, IR version 8) that a char-lstm export writes and its checks
// read back, as a protobufjs descriptor: field names and numbers exactly as onnx.proto spells them, so the
// bytes are ONNX's wire format written by protobufjs's encoder, not by a hand-rolled one. Fields that the
// export never sets (sparse tensors, functions, training info, segments, external data) are left out; a
// reader skips unknown fields, so decoding any ONNX file with this subset still works.
//
//   ModelProto { ir_version, opset_import[], producer_*, doc_string, graph, metadata_props[] }
//   GraphProto { node[], name, initializer[] (TensorProto), input[], output[] (ValueInfoProto) }
//   NodeProto  { input[], output[], name, op_type, attribute[] }   an empty input name = an omitted input
//   TensorProto{ dims[], data_type, name, raw_data }               raw_data: little-endian values, row-major

import protobuf from "protobufjs/light.js";

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

const f = (id: number, type: string, rule?: "repeated") => (rule ? { id, type, rule } : { id, type });

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            ir_version: f(1, "int64"), opset_import: f(8, "OperatorSetIdProto", "repeated"),
            producer_name: f(2, "string"), producer_version: f(3, "string"), domain: f(4, "string"),
            model_version: f(5, "int64"), doc_string: f(6, "string"), graph: f(7, "GraphProto"),
            metadata_props: f(14, "StringStringEntryProto", "repeated"),
          },
        },
        OperatorSetIdProto: { fields: { domain: f(1, "string"), version: f(2, "int64") } },
        StringStringEntryProto: { fields: { key: f(1, "string"), value: f(2, "string") } },
        GraphProto: {
          fields: {
            node: f(1, "NodeProto", "repeated"), name: f(2, "string"), initializer: f(5, "TensorProto", "repeated"),
            doc_string: f(10, "string"), input: f(11, "ValueInfoProto", "repeated"), output: f(12, "ValueInfoProto", "repeated"),
            value_info: f(13, "ValueInfoProto", "repeated"),
          },
        },
        NodeProto: {
          fields: {
            input: f(1, "string", "repeated"), output: f(2, "string", "repeated"), name: f(3, "string"),
            op_type: f(4, "string"), domain: f(7, "string"), attribute: f(5, "AttributeProto", "repeated"),
            doc_string: f(6, "string"),
          },
        },
        AttributeProto: {
          fields: {
            name: f(1, "string"), doc_string: f(13, "string"), type: f(20, "int32"),
            f: f(2, "float"), i: f(3, "int64"), s: f(4, "bytes"), t: f(5, "TensorProto"),
            floats: f(7, "float", "repeated"), ints: f(8, "int64", "repeated"), strings: f(9, "bytes", "repeated"),
          },
        },
        TensorProto: {
          fields: {
            dims: f(1, "int64", "repeated"), data_type: f(2, "int32"), float_data: f(4, "float", "repeated"),
            int32_data: f(5, "int32", "repeated"), int64_data: f(7, "int64", "repeated"), name: f(8, "string"),
            doc_string: f(12, "string"), raw_data: f(9, "bytes"),
          },
        },
        ValueInfoProto: { fields: { name: f(1, "string"), type: f(2, "TypeProto"), doc_string: f(3, "string") } },
        TypeProto: {
          fields: { tensor_type: f(1, "TypeProto.Tensor"), denotation: f(6, "string") },
          nested: { Tensor: { fields: { elem_type: f(1, "int32"), shape: f(2, "TensorShapeProto") } } },
        },
        TensorShapeProto: {
          fields: { dim: f(1, "TensorShapeProto.Dimension", "repeated") },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ["dim_value", "dim_param"] } },
              fields: { dim_value: f(1, "int64"), dim_param: f(2, "string"), denotation: f(3, "string") },
            },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
const ModelProto = root.lookupType("onnx.ModelProto");

// ---- the plain objects the export builds (a subset of each message's fields) ----

/** One dimension: a fixed size or a named symbolic one ("T", "B"). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
  doc_string?: string;
}

export interface Tensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface Attribute {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
}

export interface Node {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute?: Attribute[];
}

export interface Graph {
  name: string;
  doc_string?: string;
  node: Node[];
  initializer: Tensor[];
  input: ValueInfo[];
  output: ValueInfo[];
}

export interface Model {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: Graph;
  metadata_props: { key: string; value: string }[];
}

/** A tensor's ValueInfo: element type and shape, with symbolic dimensions by name. */
export function valueInfo(name: string, elemType: number, dims: Dim[], doc?: string): ValueInfo {
  const dim = dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } }, ...(doc ? { doc_string: doc } : {}) };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** An initializer holding float32 values (copied, little-endian). */
export function floatTensor(name: string, dims: number[], data: Float32Array): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new RangeError(`tensor ${name}: ${data.length} values for shape [${dims}]`);
  if (LITTLE_ENDIAN) return { name, dims, data_type: DataType.FLOAT, raw_data: new Uint8Array(Float32Array.from(data).buffer) };
  const raw = new Uint8Array(4 * n);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) view.setFloat32(4 * i, data[i], true);
  return { name, dims, data_type: DataType.FLOAT, raw_data: raw };
}

/** An initializer holding int64 values (small integers: sizes, axes). */
export function int64Tensor(name: string, dims: number[], data: number[]): Tensor {
  const raw = new Uint8Array(8 * data.length);
  const view = new DataView(raw.buffer);
  data.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims, data_type: DataType.INT64, raw_data: raw };
}

export const intAttr = (name: string, i: number): Attribute => ({ name, type: AttributeType.INT, i });
export const stringAttr = (name: string, s: string): Attribute => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) });

/** The model's protobuf bytes. */
export function encodeModel(model: Model): Uint8Array {
  const err = ModelProto.verify(model);
  if (err) throw new Error(`ONNX model does not fit the schema: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Decode ONNX bytes into plain objects (int64 as numbers, bytes as byte arrays); unknown fields are skipped. */
export function decodeModel(bytes: Uint8Array): Model {
  const msg = ModelProto.decode(bytes);
  return ModelProto.toObject(msg, { longs: Number, arrays: true }) as unknown as Model;
}
