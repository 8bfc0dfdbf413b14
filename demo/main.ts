/**
 * The demo site's script: fills in whichever sections the page has (index.html: all of them;
 * bench.html: the Benchmark section alone). <face-verify> and <style-transfer> come from the
 * components bundle, embedded as their READMEs show; the Training section is
 * demo/training-section.ts (a Fashion-MNIST run with a live loss plot).
 */
import { mountBenchmark } from './benchmark-section.js';
import { mountTrainingSection } from './training-section.js';

/** Example pictures for <style-transfer>: small copies in demo/assets (no network needed). */
const STYLE_EXAMPLES = [
  { name: 'Dog', url: './assets/dog.jpg', role: 'content' },
  { name: 'Eagle', url: './assets/eagle.jpg', role: 'content' },
  { name: 'The Scream (Munch)', url: './assets/scream.jpg', role: 'style' },
] as const;

const styleTransfer = document.querySelector('style-transfer') as (HTMLElement & { examples?: unknown }) | null;
if (styleTransfer) styleTransfer.examples = STYLE_EXAMPLES.map((e) => ({ ...e }));

const training = document.querySelector<HTMLElement>('[data-training]');
if (training) mountTrainingSection(training);

const benchmark = document.querySelector<HTMLElement>('[data-benchmark]');
if (benchmark) mountBenchmark(benchmark);
