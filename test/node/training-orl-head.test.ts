import { readFileSync } from 'node:fs';
import { orlSimilarityHead } from '../../src/tasks/face/orl-similarity-head.js';
import { SimilarityHead } from '../../src/tasks/face/similarity-head.js';
import { assert, assertEqual } from '../util/assert.js';

describe('shipped ORL similarity head', () => {
  it('loads as a 128-D |Δ| head; identical descriptors are the same person, distant ones are not', () => {
    const head = orlSimilarityHead();
    assertEqual([head.form, head.weights.length], ['absDiff', 128]);
    assert(head.threshold > 0 && head.threshold < 1, `threshold ${head.threshold}`);
    const json = JSON.parse(readFileSync('src/tasks/face/orl-similarity-head.json', 'utf8'));
    assertEqual(SimilarityHead.fromJSON(json).toJSON(), head.toJSON(), 'the JSON file and the bundled head');
    // A large |Δ| must lower P(same): most weights are negative.
    const negative = head.weights.filter((w) => w < 0).length;
    assert(negative > 96, `${negative}/128 weights are negative`);
    const a = Float32Array.from({ length: 128 }, (_, k) => Math.sin(k) * 0.1);
    const far = Float32Array.from(a, (v, k) => v + (k % 2 ? 0.15 : -0.15));
    assert(head.probability(a, a) >= head.threshold, `identical: P ${head.probability(a, a)}`);
    assert(head.probability(a, far) < head.threshold, `distant (euclidean ${Math.sqrt(128 * 0.15 ** 2).toFixed(2)}): P ${head.probability(a, far)}`);
  });
});
