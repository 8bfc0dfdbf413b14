/**
 * ONNX ModelProto / GraphProto / NodeProto / AttributeProto / TensorProto, decoded with the
 * wire-format reader in protobuf.ts. Field numbers follow onnx/onnx.proto (IR version 8).
 * Only what the conformance runner needs is kept; tensors are float32 or int64, other
 * element types are refused with a reason.
 */
import { readFileSync } from 'node:fs';
import { Message } from './protobuf.js';

/** TensorProto.DataType names, for messages. */
export const DATA_TYPES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64',
  8: 'STRING', 9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64',
  15: 'COMPLEX128', 16: 'BFLOAT16',
};
export const FLOAT = 1;
export const INT64 = 7;

export const dataTypeName = (t: number) => DATA_TYPES[t] ?? `data type ${t}`;

/** Thrown for valid ONNX that the runner does not handle: the case is skipped with this reason. */
export class NotClaimed extends Error {
  override name = 'NotClaimed';
}

export type TensorData =
  | { dataType: typeof FLOAT; data: Float32Array }
  | { dataType: typeof INT64; data: number[] };

export type OnnxTensor = { name: string; dims: number[] } & TensorData;

export interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  floats: number[];
  ints: number[];
  strings: string[];
  tensors: OnnxTensor[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, Attribute>;
}

export interface ValueInfo {
  name: string;
  /** TensorProto.DataType of a tensor type, 0 if not a tensor or not given. */
  elemType: number;
  /** Dimensions; null where symbolic or unknown. Undefined when no shape is given. */
  shape?: (number | null)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  /** Initializers whose element type is refused, with the reason (only fatal if used). */
  badInitializers: Map<string, string>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  /** Opset version by domain ('' for the default ONNX domain). */
  opsets: Map<string, number>;
  graph: OnnxGraph;
}

// AttributeProto.AttributeType
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9 } as const;

/** Decodes a TensorProto (float32 or int64 only). */
export function decodeTensor(m: Message): OnnxTensor {
  const name = m.string(8);
  const dims = m.ints(1);
  const dataType = m.int(2);
  const count = dims.reduce((a, b) => a * b, 1);
  const label = name ? `tensor '${name}'` : 'tensor';
  if (m.has(3)) throw new NotClaimed(`${label}: segmented tensors not claimed`);
  if (m.int(14) === 1 || m.has(13)) throw new NotClaimed(`${label}: external data not claimed`);
  const raw = m.bytesField(9);
  if (dataType === FLOAT) {
    let data: Float32Array;
    if (raw) {
      if (raw.length !== count * 4) throw new Error(`${label}: raw_data has ${raw.length} bytes, dims [${dims}] need ${count * 4}`);
      // Little-endian float32; copy so the array is aligned and owns its memory.
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    } else {
      data = Float32Array.from(m.floats(4));
    }
    if (data.length !== count) throw new Error(`${label}: ${data.length} values for dims [${dims}] (${count} elements)`);
    return { name, dims, dataType, data };
  }
  if (dataType === INT64) {
    let data: number[];
    if (raw) {
      if (raw.length !== count * 8) throw new Error(`${label}: raw_data has ${raw.length} bytes, dims [${dims}] need ${count * 8}`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      data = [];
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new NotClaimed(`${label}: int64 value ${v} beyond 2^53 not claimed`);
        data.push(Number(v));
      }
    } else {
      data = m.ints(7);
    }
    if (data.length !== count) throw new Error(`${label}: ${data.length} values for dims [${dims}] (${count} elements)`);
    return { name, dims, dataType, data };
  }
  throw new NotClaimed(`${label}: dtype ${dataTypeName(dataType)} not claimed (float32 and int64 only)`);
}

function decodeAttribute(m: Message): Attribute {
  const a: Attribute = {
    name: m.string(1),
    type: m.int(20),
    floats: m.floats(7),
    ints: m.ints(8),
    strings: m.strings(9),
    tensors: m.messages(10, 'tensor').map(decodeTensor),
  };
  if (m.has(2)) a.f = m.float(2);
  if (m.has(3)) a.i = m.int(3);
  if (m.has(4)) a.s = m.string(4);
  const t = m.message(5, 'tensor');
  if (t) a.t = decodeTensor(t);
  if (!a.type) {
    // IR version < 3 has no type field: infer it from the field that is set.
    a.type = a.t ? ATTR.TENSOR : a.s !== undefined ? ATTR.STRING : a.i !== undefined ? ATTR.INT : a.f !== undefined ? ATTR.FLOAT
      : a.floats.length ? ATTR.FLOATS : a.ints.length ? ATTR.INTS : a.strings.length ? ATTR.STRINGS : a.tensors.length ? ATTR.TENSORS : 0;
  }
  if (m.has(6) || m.has(11)) throw new NotClaimed(`attribute '${a.name}': graph attributes not claimed`);
  return a;
}

function decodeNode(m: Message): OnnxNode {
  const attributes = new Map<string, Attribute>();
  for (const am of m.messages(5, 'attribute')) {
    const a = decodeAttribute(am);
    attributes.set(a.name, a);
  }
  return { name: m.string(3), opType: m.string(4), domain: m.string(7), inputs: m.strings(1), outputs: m.strings(2), attributes };
}

function decodeValueInfo(m: Message): ValueInfo {
  const info: ValueInfo = { name: m.string(1), elemType: 0 };
  const tensorType = m.message(2, 'type')?.message(1, 'tensor_type');
  if (tensorType) {
    info.elemType = tensorType.int(1);
    const shape = tensorType.message(2, 'shape');
    if (shape) info.shape = shape.messages(1, 'dim').map((d) => (d.has(1) ? d.int(1) : null));
  }
  return info;
}

function decodeGraph(m: Message): OnnxGraph {
  const initializers = new Map<string, OnnxTensor>();
  const badInitializers = new Map<string, string>();
  for (const tm of m.messages(5, 'initializer')) {
    try {
      const t = decodeTensor(tm);
      initializers.set(t.name, t);
    } catch (e) {
      if (!(e instanceof NotClaimed)) throw e;
      badInitializers.set(tm.string(8), e.message);
    }
  }
  if (m.has(15)) throw new NotClaimed('sparse initializers not claimed');
  return {
    name: m.string(2),
    nodes: m.messages(1, 'node').map(decodeNode),
    initializers,
    badInitializers,
    inputs: m.messages(11, 'input').map(decodeValueInfo),
    outputs: m.messages(12, 'output').map(decodeValueInfo),
  };
}

export function decodeModel(bytes: Uint8Array): OnnxModel {
  const m = new Message(bytes, 'model');
  const opsets = new Map<string, number>();
  for (const o of m.messages(8, 'opset_import')) {
    const domain = o.string(1);
    opsets.set(domain === 'ai.onnx' ? '' : domain, o.int(2));
  }
  const graph = m.message(7, 'graph');
  if (!graph) throw new Error('model has no graph');
  return { irVersion: m.int(1), opsets, graph: decodeGraph(graph) };
}

export function readModel(path: string): OnnxModel {
  return decodeModel(readFileSync(path));
}

export function readTensor(path: string): OnnxTensor {
  return decodeTensor(new Message(readFileSync(path), path));
}

/** Reads a TensorProto file and reports the element type without decoding the data. */
export function peekTensorType(path: string): { name: string; dataType: number } {
  const m = new Message(readFileSync(path), path);
  return { name: m.string(8), dataType: m.int(2) };
}
