import { l2Normalize, softmax } from '../src/ops/normalize.js';
import { refAlongAxis, refL2, refSoftmax } from './ref/misc.js';
import { assertClose } from './util/assert.js';
import { testEngine } from './util/engine.js';
import { Rng } from './util/random.js';

describe('normalisation', () => {
  it('softmax along every axis of random tensors, long lines and large logits', async () => {
    const engine = await testEngine();
    const rng = new Rng(21);
    for (const shape of [[3, 4, 5], [2, 1000], [1, 7], [4, 3, 2, 130]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        const x = rng.array(shape.reduce((a, b) => a * b, 1), -30, 30);
        const got = await engine.scope(() => softmax(engine.tensor(shape, x), axis).read());
        assertClose(got, refAlongAxis(x, shape, axis, refSoftmax), { atol: 1e-6, rtol: 1e-4 }, `softmax [${shape}] axis ${axis}`);
      }
    }
  });

  it('L2 normalisation along an axis, with zero rows kept finite', async () => {
    const engine = await testEngine();
    const rng = new Rng(22);
    for (const [shape, axis] of [[[5, 128], 1], [[3, 4, 70], 2], [[6, 3], 0]] as const) {
      const x = rng.array(shape.reduce((a, b) => a * b, 1));
      if (axis === 1) x.fill(0, 0, 128);
      const got = await engine.scope(() => l2Normalize(engine.tensor(shape, x), axis).read());
      assertClose(got, refAlongAxis(x, [...shape], axis, refL2(1e-12)), { atol: 1e-6, rtol: 1e-5 }, `l2 [${shape}] axis ${axis}`);
    }
  });
});
