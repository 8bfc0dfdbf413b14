/**
 * Which ONNX backend test cases the conformance run covers, and whether each one is claimed.
 *
 * In scope: every node/ case of the op families the engine implements (conv, pooling,
 * relu / leaky relu / prelu, gemm, matmul, softmax, batch norm), any other node/ case whose
 * graph uses only claimed ops, and pytorch-converted/test_Conv{1d,2d,3d}* and test_ConvTranspose{1d,2d,3d}*. A case in scope
 * runs when every node is claimed; otherwise it is skipped with the reason.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { COMPUTE_OPS, SHAPE_OPS } from './ops.js';
import { dataTypeName, FLOAT, INT64, NotClaimed, peekTensorType, readModel, type OnnxModel } from './onnx.js';

export const DATA_ROOT = process.env.ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';

/** node/ case-name prefixes of the claimed op families. */
const NODE_FAMILIES = [
  'test_conv', 'test_maxpool', 'test_averagepool', 'test_globalaveragepool', 'test_globalmaxpool',
  'test_relu', 'test_leakyrelu', 'test_prelu', 'test_gemm', 'test_matmul', 'test_softmax', 'test_batchnorm',
];
const PYTORCH_CONV = /^test_Conv(Transpose)?[123]d/;

export interface Case {
  /** Printed name: the directory name for node/, 'suite/name' otherwise. */
  name: string;
  dir: string;
  model?: OnnxModel;
  /** Why the case is not run, if it is not. */
  skip?: string;
  /** Set when the model could not be read: the case fails with this message. */
  error?: string;
  /** test_data_set_* directories. */
  dataSets: string[];
}

const INTEGER_OPS = new Set(['ConvInteger', 'MatMulInteger', 'QLinearConv', 'QLinearMatMul', 'DequantizeLinear', 'QuantizeLinear', 'DynamicQuantizeLinear']);
const claimedOp = (op: string) => op in COMPUTE_OPS || op in SHAPE_OPS;

/** The reason a model is not claimed, or undefined when every part of it is. */
export function unclaimed(model: OnnxModel, dir: string): string | undefined {
  const reasons: string[] = [];
  const g = model.graph;
  const ops = [...new Set(g.nodes.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType)))];
  const missing = ops.filter((op) => !claimedOp(op));
  const integer = missing.filter((op) => INTEGER_OPS.has(op));
  const other = missing.filter((op) => !INTEGER_OPS.has(op));
  if (integer.length) reasons.push(`integer ops not claimed (${integer.join(', ')})`);
  if (other.length) reasons.push(`uses ${other.join(', ')} (not claimed)`);

  for (const n of g.nodes) {
    const outputs = n.outputs.filter(Boolean).length;
    if (n.opType === 'MaxPool' && outputs > 1) reasons.push('MaxPool second output Indices not claimed');
    if (n.opType === 'BatchNormalization' && (n.attributes.get('training_mode')?.i || outputs > 1)) reasons.push('BatchNormalization training mode not claimed');
  }

  // Unclaimed ops explain their own integer tensors and Indices outputs: name dtypes only
  // when nothing else is wrong.
  if (reasons.length) return reasons.join('; ');

  // Element types: float32 everywhere, int64 only as a shape operand of Reshape.
  const shapeOperands = new Set(g.nodes.filter((n) => n.opType === 'Reshape').map((n) => n.inputs[1]));
  const bad = new Set<string>();
  const check = (name: string, elemType: number) => {
    if (elemType === FLOAT || (elemType === INT64 && shapeOperands.has(name))) return;
    bad.add(dataTypeName(elemType));
  };
  for (const why of g.badInitializers.values()) reasons.push(why);
  const initialized = new Set(g.initializers.keys());
  const inputs = g.inputs.filter((v) => !initialized.has(v.name));
  const set0 = join(dir, 'test_data_set_0');
  const typeOf = (elemType: number, file: string) => (elemType || !existsSync(file) ? elemType : peekTensorType(file).dataType);
  inputs.forEach((v, i) => check(v.name, typeOf(v.elemType, join(set0, `input_${i}.pb`))));
  g.outputs.forEach((v, i) => check(v.name, typeOf(v.elemType, join(set0, `output_${i}.pb`))));
  for (const [name, t] of g.initializers) check(name, t.dataType);
  if (bad.size) reasons.push(`dtype ${[...bad].join(', ')} not claimed`);
  return reasons.length ? reasons.join('; ') : undefined;
}

function load(suite: string, name: string): Case {
  const dir = join(DATA_ROOT, suite, name);
  const printed = suite === 'node' ? name : `${suite}/${name}`;
  const dataSets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort().map((d) => join(dir, d));
  try {
    const model = readModel(join(dir, 'model.onnx'));
    return { name: printed, dir, model, dataSets, skip: unclaimed(model, dir) };
  } catch (e) {
    if (e instanceof NotClaimed) return { name: printed, dir, dataSets, skip: e.message };
    return { name: printed, dir, dataSets, error: `model.onnx: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}

const list = (suite: string) => {
  const dir = join(DATA_ROOT, suite);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

/**
 * The cases in scope. With `wide`, also every case of the other suites (pytorch-converted,
 * pytorch-operator, simple) whose graph uses only claimed ops: an extra check, not the gate.
 */
export function discover(wide = false): Case[] {
  if (!existsSync(join(DATA_ROOT, 'node'))) throw new Error(`ONNX test data not found under ${DATA_ROOT} (install Debian's libonnx-testdata or set ONNX_TESTDATA)`);
  const cases: Case[] = [];
  for (const name of list('node')) {
    if (NODE_FAMILIES.some((p) => name.startsWith(p))) {
      cases.push(load('node', name));
      continue;
    }
    // Other node/ cases are in scope when their graph uses a claimed compute op and nothing
    // unclaimed (e.g. test_basic_conv_with_padding).
    const c = tryLoad('node', name);
    if (c?.model && !c.skip && c.model.graph.nodes.some((n) => n.opType in COMPUTE_OPS)) cases.push(c);
  }
  for (const name of list('pytorch-converted')) {
    if (PYTORCH_CONV.test(name)) cases.push(load('pytorch-converted', name));
    else if (wide) {
      const c = tryLoad('pytorch-converted', name);
      if (c?.model && !c.skip && c.model.graph.nodes.some((n) => n.opType in COMPUTE_OPS)) cases.push(c);
    }
  }
  if (wide) {
    for (const suite of ['pytorch-operator', 'simple']) {
      for (const name of list(suite)) {
        const c = tryLoad(suite, name);
        if (c?.model && !c.skip && c.model.graph.nodes.some((n) => n.opType in COMPUTE_OPS)) cases.push(c);
      }
    }
  }
  return cases;
}

function tryLoad(suite: string, name: string): Case | undefined {
  try {
    if (!existsSync(join(DATA_ROOT, suite, name, 'model.onnx'))) return undefined;
    return load(suite, name);
  } catch {
    return undefined;
  }
}
