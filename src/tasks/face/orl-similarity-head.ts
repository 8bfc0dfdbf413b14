/**
 * A learned similarity head shipped with the library: the Siamese network's pair classifier
 * σ(Σₖ wₖ·|f(xᵢ)ₖ − f(xⱼ)ₖ| + b) on the face pipeline's 128-D descriptors, trained on the
 * pairs of ORL persons s1–s20 (`npm run train:orl-head`; figures in bench/results/orl-head.json).
 * Use it for 1:1 checks (`head.probability(a, b) >= head.threshold`) or over a gallery
 * (`gallery.identifyWithHead(descriptor, head)`).
 */
import headJSON from './orl-similarity-head.json';
import { SimilarityHead } from './similarity-head.js';

export function orlSimilarityHead(): SimilarityHead {
  return SimilarityHead.fromJSON(headJSON);
}
