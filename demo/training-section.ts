/**
 * The demo's Training section: a small Fashion-MNIST triplet-training run in the browser on
 * WebGPU — a live loss plot (canvas), Start/Stop, and at the end the one-shot figures of the
 * untrained and the trained encoder on the 2 held-out classes and on all 10. Data comes from
 * `./data/fashion-mnist/` (the demo server maps it to /usr/share/datasets/fashion-mnist).
 * The element's `data-state` says where it is: idle, loading, training, evaluating, done, stopped, error.
 * Its look is in styles.css (no inline <style>: a strict Content-Security-Policy refuses it).
 */
import {
  createEngine, describeEncoder, embedImages, FASHION_MNIST_CLASSES, firstPerClass, loadFashionMnist, scoreEmbeddings, sequential,
  smallEncoder, splitClasses, trainEmbedding, urlFileReader, type EmbeddingScores, type Engine, type LabelledImages, type StepRecord,
} from '../src/index.js';

export interface TrainingSectionOptions {
  /** Where the IDX files are (default './data/fashion-mnist/'). */
  dataURL?: string;
  engine?: Engine;
  epochs?: number;
  stepsPerEpoch?: number;
}

const HELD_OUT = [8, 9];

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Draws per-step losses (dots), their running mean (line) and validation accuracy per epoch (squares). */
function drawPlot(canvas: HTMLCanvasElement, steps: readonly StepRecord[], validation: { step: number; acc: number }[], total: number): void {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth || 600, h = canvas.clientHeight || 220;
  canvas.width = w * dpr;
  canvas.height = h * dpr;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.scale(dpr, dpr);
  g.clearRect(0, 0, w, h);
  const pad = { l: 40, r: 40, t: 12, b: 22 };
  const maxLoss = 1.15 * Math.max(0.05, ...steps.map((s) => s.loss));
  const x = (i: number) => pad.l + ((w - pad.l - pad.r) * i) / Math.max(1, total);
  const yLoss = (v: number) => h - pad.b - ((h - pad.t - pad.b) * v) / maxLoss;
  const yAcc = (v: number) => h - pad.b - (h - pad.t - pad.b) * v;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = '#888';
  g.fillText(`loss ${maxLoss.toFixed(2)}`, 2, pad.t + 8);
  g.fillText('0', 2, h - pad.b);
  g.fillText('acc 1', w - pad.r + 4, pad.t + 8);
  g.fillText(`step ${total}`, w - pad.r - 40, h - 6);
  g.strokeStyle = '#8884';
  g.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
  g.fillStyle = '#2f6fde66';
  steps.forEach((s, i) => g.fillRect(x(i + 1) - 1, yLoss(s.loss) - 1, 2, 2));
  g.strokeStyle = '#2f6fde';
  g.lineWidth = 2;
  g.beginPath();
  let run = steps[0]?.loss ?? 0;
  steps.forEach((s, i) => {
    run = 0.9 * run + 0.1 * s.loss;
    if (i === 0) g.moveTo(x(1), yLoss(run));
    else g.lineTo(x(i + 1), yLoss(run));
  });
  g.stroke();
  g.fillStyle = '#e0803a';
  for (const v of validation) g.fillRect(x(v.step) - 3, yAcc(v.acc) - 3, 6, 6);
}

export function mountTrainingSection(el: HTMLElement, o: TrainingSectionOptions = {}): void {
  const epochs = o.epochs ?? 6;
  const stepsPerEpoch = o.stepsPerEpoch ?? 30;
  const batch = { persons: 8, perPerson: 4 };
  const layers = smallEncoder({ filters: [8, 16, 32], embeddingDim: 32 });
  el.dataset.state = 'idle';
  el.innerHTML = `
    <p>A small encoder (${describeEncoder(layers)}) learns an embedding of Fashion-MNIST with the triplet loss
      (P×K batches of ${batch.persons}×${batch.perPerson}, semi-hard mining, Adam), on 8 classes; the 2 others
      (${HELD_OUT.map((c) => FASHION_MNIST_CLASSES[c]).join(', ')}) are never seen and are used for one-shot tests.
      ${epochs} epoch${epochs === 1 ? '' : 's'} × ${stepsPerEpoch} steps, all on your GPU.</p>
    <div class="controls">
      <button class="tr-start">Start training</button>
      <button class="tr-stop secondary" disabled>Stop</button>
    </div>
    <p class="tr-status" aria-live="polite">Press Start: the data (about 30 MB) is loaded from this site.</p>
    <canvas class="tr-plot" aria-label="training loss per step (blue) and validation pair accuracy per epoch (orange)"></canvas>
    <p class="tr-warning" hidden></p>
    <table class="tr-figures" hidden></table>`;
  const $ = <T extends HTMLElement>(sel: string) => el.querySelector(sel) as T;
  const start = $<HTMLButtonElement>('.tr-start');
  const stop = $<HTMLButtonElement>('.tr-stop');
  const status = $('.tr-status');
  const canvas = $<HTMLCanvasElement>('.tr-plot');
  const warning = $('.tr-warning');
  const figures = $<HTMLTableElement>('.tr-figures');
  let controller: AbortController | null = null;
  let engine: Engine | null = o.engine ?? null;
  let data: { train: LabelledImages; validation: LabelledImages; unseen: LabelledImages; all: LabelledImages } | null = null;
  const setState = (state: string, text: string, error = false) => {
    el.dataset.state = state;
    status.textContent = text;
    status.classList.toggle('error', error);
  };
  drawPlot(canvas, [], [], epochs * stepsPerEpoch);

  stop.addEventListener('click', () => controller?.abort());
  start.addEventListener('click', async () => {
    start.disabled = true;
    stop.disabled = false;
    figures.hidden = true;
    warning.hidden = true;
    controller = new AbortController();
    let model: ReturnType<typeof sequential> | null = null;
    try {
      setState('loading', 'Starting WebGPU and loading Fashion-MNIST…');
      engine ??= await createEngine();
      if (!data) {
        const read = urlFileReader(o.dataURL ?? './data/fashion-mnist/');
        const train = await loadFashionMnist(read, 'train', { limit: 16000 });
        const test = await loadFashionMnist(read, 'test');
        const seen = splitClasses(train, HELD_OUT).seen;
        const testSplit = splitClasses(test, HELD_OUT);
        data = {
          train: seen,
          validation: firstPerClass(testSplit.seen, 25),
          unseen: firstPerClass(testSplit.unseen, 150),
          all: firstPerClass(test, 60),
        };
      }
      const d = data;
      model = sequential(engine, [28, 28, 1], layers, { seed: 1 });
      const evaluate = async (m: NonNullable<typeof model>) => ({
        unseen: scoreEmbeddings(await embedImages(m, d.unseen, { signal: controller!.signal }), d.unseen.labels, { pairs: 1000 }),
        all: scoreEmbeddings(await embedImages(m, d.all, { signal: controller!.signal }), d.all.labels, { pairs: 1000 }),
      });
      setState('evaluating', 'Scoring the untrained encoder (baseline)…');
      const baseline = await evaluate(model);
      const steps: StepRecord[] = [];
      const validation: { step: number; acc: number }[] = [];
      const total = epochs * stepsPerEpoch;
      setState('training', 'Training…');
      const t0 = performance.now();
      const result = await trainEmbedding({
        model, data: d.train, validation: d.validation, loss: 'triplet', mining: 'semihard', margin: 0.2, batch,
        optimizer: { kind: 'adam', lr: 2e-3 }, epochs, stepsPerEpoch, signal: controller.signal, validationPairs: 500,
        onProgress: (e) => {
          if (e.type === 'step') {
            steps.push(e);
            status.textContent = `Epoch ${e.epoch}/${epochs}, step ${e.step}/${e.totalSteps}: loss ${e.loss.toFixed(4)}, active triplets ${e.activeFraction === null ? '–' : pct(e.activeFraction)}, ${e.ms.toFixed(0)} ms/step`;
          } else if (e.type === 'epoch' && e.validation) {
            validation.push({ step: steps.length, acc: e.validation.pairAcc });
          } else if (e.type === 'warning') {
            warning.hidden = false;
            warning.textContent = `${e.message} Try: ${e.advice.join('; ')}.`;
          }
          drawPlot(canvas, steps, validation, total);
        },
      });
      const seconds = (performance.now() - t0) / 1000;
      setState('evaluating', 'Scoring the trained encoder…');
      const trained = await evaluate(model);
      const row = (name: string, s: EmbeddingScores, b: EmbeddingScores) =>
        `<tr><td>${name}</td><td>${pct(b.pairAcc)} → <b>${pct(s.pairAcc)}</b></td><td>${b.auc.toFixed(3)} → <b>${s.auc.toFixed(3)}</b></td><td>${pct(b.oneShotAcc)} → <b>${pct(s.oneShotAcc)}</b></td></tr>`;
      figures.innerHTML = `<tr><th>test images</th><th>pair accuracy</th><th>ROC AUC</th><th>1-shot accuracy</th></tr>` +
        row(`2 unseen classes (${d.unseen.count})`, trained.unseen, baseline.unseen) + row(`all 10 classes (${d.all.count})`, trained.all, baseline.all);
      figures.hidden = false;
      setState(result.stopped ? 'stopped' : 'done', `${result.stopped ? 'Stopped' : 'Done'}: ${result.steps.length} steps in ${seconds.toFixed(0)} s on ${engine.adapterInfo.description || engine.adapterInfo.vendor || 'your GPU'}. Untrained → trained:`);
    } catch (e) {
      if (controller.signal.aborted) setState('stopped', 'Stopped.');
      else setState('error', `Training failed: ${(e as Error).message}`, true);
    } finally {
      model?.dispose();
      start.disabled = false;
      stop.disabled = true;
      controller = null;
    }
  });
}

