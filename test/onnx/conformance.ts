/**
 * ONNX operator conformance: runs the ONNX backend test cases of the ops the engine claims
 * (see cases.ts) through the engine and compares every output with the stored expectation.
 *
 * Usage: node build/test-node/onnx/conformance.js [--wide] [name-filter]
 *   --wide       also run claimed cases of the other suites (extra check, not the gate)
 *   --verbose    name each passing case as it passes (and the conv kernels it ran)
 *   name-filter  run only cases whose name contains it (results file is then not written)
 *
 * Prints `onnx conformance: P passed, F failed, S skipped`, then each skipped case with its
 * reason, then each failure. Writes build/results-conformance.json; exits 1 on any failure.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../src/gpu/engine.js';
import { createNodeEngine } from '../../src/host/node.js';
import { assertClose } from '../util/assert.js';
import { discover, type Case } from './cases.js';
import { dataTypeName, FLOAT, NotClaimed, readTensor, type OnnxModel, type OnnxTensor } from './onnx.js';
import { CONV_ALGORITHMS, CONV_TRANSPOSE_ALGORITHMS, NotApplicable, runNode, type ConvAlgorithm } from './ops.js';

/**
 * f32 results against references computed by numpy (mostly in f32, some in f64): sums of at
 * most a few hundred products, exp/sqrt from the GPU's math library.
 */
const TOL = { atol: 1e-4, rtol: 1e-4 };

function inputFiles(dataSet: string, prefix: 'input' | 'output'): string[] {
  return readdirSync(dataSet)
    .map((f) => new RegExp(`^${prefix}_(\\d+)\\.pb$`).exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => join(dataSet, m[0]));
}

/** Runs the graph on one data set; throws on a mismatch with the first bad index and worst error. */
async function runDataSet(engine: Engine, model: OnnxModel, dataSet: string, convAlgorithm?: ConvAlgorithm): Promise<void> {
  const g = model.graph;
  const opset = model.opsets.get('') ?? 1;
  const values = new Map<string, OnnxTensor>(g.initializers);
  // Inputs bind to the graph inputs that are not initializers: by name when the stored tensor
  // has one that matches, otherwise by position.
  const free = g.inputs.filter((v) => !g.initializers.has(v.name)).map((v) => v.name);
  inputFiles(dataSet, 'input').forEach((file, i) => {
    const t = readTensor(file);
    const name = t.name && free.includes(t.name) ? t.name : free[i];
    if (name === undefined) throw new Error(`${file}: no graph input left to bind (graph inputs: ${free.join(', ')})`);
    values.set(name, t);
  });
  for (const name of free) if (!values.has(name)) throw new Error(`graph input '${name}' has no data in ${dataSet}`);

  for (const node of g.nodes) {
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined;
      const v = values.get(name);
      if (!v) throw new Error(`${node.opType} '${node.name}': input '${name}' is not computed`);
      return v;
    });
    const outputs = await runNode({ engine, opset, convAlgorithm }, node, inputs);
    node.outputs.forEach((name, i) => {
      if (name && outputs[i]) values.set(name, { ...outputs[i]!, name });
    });
  }

  const expected = inputFiles(dataSet, 'output');
  if (expected.length !== g.outputs.length) throw new Error(`${expected.length} output files for ${g.outputs.length} graph outputs`);
  g.outputs.forEach((out, i) => {
    const want = readTensor(expected[i]!);
    const got = values.get(out.name);
    if (!got) throw new Error(`output '${out.name}' was not computed`);
    if (got.dataType !== want.dataType) throw new Error(`output '${out.name}': dtype ${dataTypeName(got.dataType)}, expected ${dataTypeName(want.dataType)}`);
    if (got.dims.join() !== want.dims.join()) throw new Error(`output '${out.name}': shape [${got.dims}], expected [${want.dims}]`);
    if (want.dataType === FLOAT) assertClose(got.data as Float32Array, want.data as Float32Array, TOL, `output '${out.name}'`);
    else if ((got.data as number[]).join() !== (want.data as number[]).join()) throw new Error(`output '${out.name}': int64 values differ`);
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const wide = args.includes('--wide');
  const verbose = args.includes('--verbose');
  const filter = args.find((a) => !a.startsWith('--'));
  const started = performance.now();
  const cases = discover(wide).filter((c) => !filter || c.name.includes(filter));
  const engine = await createNodeEngine();

  let passed = 0;
  const skipped: Case[] = [];
  const failed: { name: string; message: string }[] = [];
  for (const c of cases) {
    if (c.error) {
      failed.push({ name: c.name, message: c.error });
      continue;
    }
    if (c.skip || !c.model) {
      skipped.push(c);
      continue;
    }
    try {
      if (!c.dataSets.length) throw new Error('no test_data_set_* directory');
      // Cases with a Conv node run once with the engine's kernel choice, then once per forced
      // kernel variant that accepts the shape.
      const hasConv = c.model.graph.nodes.some((n) => n.opType === 'Conv' || n.opType === 'ConvTranspose');
      const variants: ConvAlgorithm[] = [
        ...(c.model.graph.nodes.some((n) => n.opType === 'Conv') ? CONV_ALGORITHMS : []),
        ...(c.model.graph.nodes.some((n) => n.opType === 'ConvTranspose') ? CONV_TRANSPOSE_ALGORITHMS : []),
      ];
      const ran: string[] = [];
      for (const algorithm of [undefined, ...variants]) {
        try {
          await engine.scope(async () => {
            for (const set of c.dataSets) {
              try {
                await runDataSet(engine, c.model!, set, algorithm);
              } catch (e) {
                if (e instanceof NotClaimed || e instanceof NotApplicable) throw e;
                const where = [algorithm && `conv algorithm '${algorithm}'`, c.dataSets.length > 1 && set.slice(c.dir.length + 1)].filter(Boolean);
                if (where.length) (e as Error).message = `${where.join(', ')}: ${(e as Error).message}`;
                throw e;
              }
            }
          });
          ran.push(algorithm ?? 'auto');
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
      if (verbose) console.log(`  passed ${c.name}${hasConv ? ` (conv kernels: ${ran.join(', ')})` : ''}`);
      passed++;
    } catch (e) {
      if (e instanceof NotClaimed) {
        c.skip = e.message;
        skipped.push(c);
      } else {
        failed.push({ name: c.name, message: e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e) });
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;

  console.log(`onnx conformance: ${passed} passed, ${failed.length} failed, ${skipped.length} skipped`);
  for (const c of skipped) console.log(`  skipped ${c.name}: ${c.skip}`);
  for (const f of failed) console.log(`  FAILED ${f.name}: ${f.message}`);
  console.log(`  (${cases.length} cases in ${seconds.toFixed(1)} s on ${engine.adapterInfo.description || engine.adapterInfo.device || 'GPU'} via ${engine.driver}; tolerance atol ${TOL.atol} + rtol ${TOL.rtol})`);
  if (!filter && !wide) {
    mkdirSync('build', { recursive: true });
    writeFileSync('build/results-conformance.json', JSON.stringify({ passed, failed: failed.length, skipped: skipped.length }));
  }
  engine.destroy();
  return failed.length ? 1 : 0;
}

// Dawn keeps Node alive: end the process explicitly.
main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('onnx conformance: could not run:', e);
    mkdirSync('build', { recursive: true });
    writeFileSync('build/results-conformance.json', JSON.stringify({ passed: 0, failed: 1, skipped: 0 }));
    process.exit(1);
  },
);
