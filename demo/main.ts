/**
 * The demo site's script: fills in whichever sections the page has (index.html: all of them;
 * bench.html: the Benchmark section alone). <wv-face-verify> and <wv-style-transfer> come from the
 * components bundle, embedded as the README shows (their types from the package's public
 * `components` entry); the Training section is demo/training-section.ts (a Fashion-MNIST run with a
 * live loss plot) and "What the network learns" is demo/visualize-section.ts, both on the library's public API.
 */
import type { FaceExample, StyleExample } from '../components/index.js';
import { mountBenchmark } from './benchmark-section.js';
import { mountTrainingSection } from './training-section.js';
import { mountVisualizeSection } from './visualize-section.js';

/** Example pictures for <wv-style-transfer>: small copies in demo/assets (no network needed). */
const STYLE_EXAMPLES: readonly StyleExample[] = [
  { name: 'Dog', url: './assets/dog.jpg', role: 'content' },
  { name: 'Eagle', url: './assets/eagle.jpg', role: 'content' },
  { name: 'The Scream (Munch)', url: './assets/scream.jpg', role: 'style' },
];

/**
 * Example photos for <wv-face-verify>: face-api's sample photos (MIT), made smaller (demo/assets/faces/README.md).
 * Group 1 and group 2 share a person (the portrait's); group 3 shares nobody with either.
 */
const FACE_EXAMPLES: readonly FaceExample[] = [
  { name: 'Group photo 1', url: './assets/faces/group-1.jpg', role: 'a' },
  { name: 'Group photo 2', url: './assets/faces/group-2.jpg', role: 'b' },
  { name: 'Group photo 3', url: './assets/faces/group-3.jpg', role: 'b' },
  { name: 'Portrait', url: './assets/faces/person.jpg', role: 'enroll', person: 'Guest' },
  { name: 'Group photo 2', url: './assets/faces/group-2.jpg', role: 'identify' },
  { name: 'Group photo 3', url: './assets/faces/group-3.jpg', role: 'identify' },
];

const faceVerify = document.querySelector('wv-face-verify');
if (faceVerify) {
  faceVerify.examples = [...FACE_EXAMPLES];
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=face-mode]')) {
    radio.addEventListener('change', () => { if (radio.checked) faceVerify.mode = radio.value as 'compare' | 'identity'; });
  }
}

const styleTransfer = document.querySelector('wv-style-transfer');
if (styleTransfer) styleTransfer.examples = [...STYLE_EXAMPLES];

const training = document.querySelector<HTMLElement>('[data-training]');
if (training) mountTrainingSection(training);

const learns = document.querySelector<HTMLElement>('[data-visualize]');
if (learns) mountVisualizeSection(learns);

const benchmark = document.querySelector<HTMLElement>('[data-benchmark]');
if (benchmark) mountBenchmark(benchmark);
