/**
 * face-api on TF.js's WebGPU backend in Node.
 *
 * face-api reads two network outputs synchronously: SSD-MobileNetV1's `locateFaces` (scores and
 * boxes, `dataSync`/`arraySync`) and the landmark net's `detectLandmarks` (`dataSync`). TF.js's
 * WebGPU backend serves a synchronous read through an OffscreenCanvas, which Node does not have
 * ("OffscreenCanvas is not defined"). This shim runs the net's own `forwardInput` first, reads its
 * outputs with the asynchronous `data()` (the same GPU → CPU copy a synchronous read makes), and
 * hands face-api CPU-resident copies of them, so face-api's own post-processing (non-maximum
 * suppression, box scaling, landmark decoding) runs unchanged. The recognition net already reads
 * asynchronously. Nothing changes on the CPU or WASM backends, where it is not installed.
 */
import * as tf from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';

type Tree = tf.Tensor | Tree[] | { [key: string]: Tree };

const isTensor = (t: unknown): t is tf.Tensor => t instanceof tf.Tensor;

/** The same tree of tensors with every tensor's values read back (asynchronously) into a CPU-resident copy. */
async function readBack(tree: Tree): Promise<Tree> {
  if (isTensor(tree)) return tf.tensor(await tree.data(), tree.shape, tree.dtype);
  if (Array.isArray(tree)) return Promise.all(tree.map(readBack));
  const out: { [key: string]: Tree } = {};
  for (const [k, v] of Object.entries(tree)) out[k] = await readBack(v);
  return out;
}

function dispose(tree: Tree): void {
  if (isTensor(tree)) tree.dispose();
  else if (Array.isArray(tree)) tree.forEach(dispose);
  else Object.values(tree).forEach(dispose);
}

interface Net {
  forwardInput(input: unknown): Tree;
  [method: string]: unknown;
}

/** Installs the shim on face-api's SSD and 68-point landmark nets; returns a function that removes it. */
export function installAsyncReadShim(): () => void {
  const restore: (() => void)[] = [];
  const patch = (net: Net, method: string): void => {
    const forward = net.forwardInput;
    const original = net[method] as (input: unknown, ...rest: unknown[]) => Promise<unknown>;
    // Outputs already computed and read back, by the NetInput they belong to (several faces'
    // landmarks run concurrently, so a single slot would race).
    const ready = new Map<object, Tree>();
    net.forwardInput = function (this: Net, input: unknown): Tree {
      const done = ready.get(input as object);
      if (done) {
        ready.delete(input as object);
        return done;
      }
      return forward.call(this, input);
    };
    net[method] = async function (this: Net, input: unknown, ...rest: unknown[]): Promise<unknown> {
      const netInput = await faceapi.toNetInput(input as never);
      const out = forward.call(this, netInput);
      let copy: Tree;
      try {
        copy = await readBack(out);
      } finally {
        dispose(out);
      }
      ready.set(netInput, copy);
      try {
        return await original.call(this, netInput, ...rest);
      } finally {
        ready.delete(netInput);
        dispose(copy); // face-api disposes some of them itself; disposing twice is a no-op
      }
    };
    restore.push(() => {
      net.forwardInput = forward;
      net[method] = original;
    });
  };
  patch(faceapi.nets.ssdMobilenetv1 as unknown as Net, 'locateFaces');
  patch(faceapi.nets.faceLandmark68Net as unknown as Net, 'detectLandmarks');
  return () => restore.forEach((r) => r());
}
