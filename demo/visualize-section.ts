/**
 * The demo's "What the network learns" section: pick a network, a layer and a unit, and see both
 * views of that unit — the 9 patches of the example pictures that drive it most (each unit's
 * receptive field, cut out), and a picture drawn from noise by climbing the gradient of its mean
 * activation (jitter, blur, L2 decay). A small image set and few steps, to stay light in a browser.
 * The element's `data-state` says where it is: idle, loading, running, done, error. Public API only;
 * its look is in styles.css (no inline styles: the page runs under a strict CSP).
 */
import {
  centernetVisualNetwork, createEngine, FACE_API_MODELS, faceResNetVisualNetwork, layerShape, loadWeightsFromURL, maximizeActivation,
  prepareImages, renderGrid, stretchContrast, toRGBA, topPatches, urlModelSource, DEFAULT_STYLE_MODEL_URL, VISUAL_DEFAULT_LAYERS,
  type Engine, type FloatImage, type RGBAImage, type VisualNetwork, type VisualNetworkName,
} from '../src/index.js';

export interface VisualizeSectionOptions {
  engine?: Engine;
  /** face-api's model folder (default './models/'). */
  faceModelURL?: string;
  /** CenterNet's model.json (default the style transfer's). */
  centernetURL?: string;
  /** Example pictures the patches are cut from. */
  images?: readonly string[];
  /** Gradient steps of the activation maximisation (default 24). */
  steps?: number;
}

const DEFAULT_IMAGES = ['./assets/faces/person.jpg', './assets/faces/group-1.jpg', './assets/faces/group-2.jpg', './assets/faces/group-3.jpg', './assets/dog.jpg', './assets/eagle.jpg', './assets/scream.jpg'];

/** The centred square of an image and, for a wide or tall one, its two end squares: more views of few pictures. */
function squares(image: RGBAImage): RGBAImage[] {
  const side = Math.min(image.width, image.height);
  const starts = image.width === image.height ? [0] : [0, Math.floor((Math.max(image.width, image.height) - side) / 2), Math.max(image.width, image.height) - side];
  return starts.map((s) => {
    const [x0, y0] = image.width > image.height ? [s, 0] : [0, s];
    const data = new Uint8ClampedArray(side * side * 4);
    for (let y = 0; y < side; y++) data.set(image.data.subarray(((y0 + y) * image.width + x0) * 4, ((y0 + y) * image.width + x0 + side) * 4), y * side * 4);
    return { width: side, height: side, data };
  });
}

function show(canvas: HTMLCanvasElement, image: RGBAImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
}

export function mountVisualizeSection(el: HTMLElement, o: VisualizeSectionOptions = {}): void {
  const steps = o.steps ?? 24;
  el.dataset.state = 'idle';
  el.innerHTML = `
    <p>Zeiler and Fergus asked what each unit of a trained convnet responds to. Shallow units answer edges and colours;
      deeper ones textures, then parts. Pick a unit: on the left, the 9 patches of the example pictures that activate it most
      (each the unit's receptive field); on the right, a picture drawn from noise by climbing the gradient of the unit's
      mean activation with respect to the pixels (${steps} steps on your GPU, with jitter, blur and a small L2 decay).</p>
    <div class="controls">
      <label>Network <select class="vis-network">
        <option value="face-resnet">face ResNet (face-api descriptor)</option>
        <option value="centernet">CenterNet MobileNet-V3</option>
      </select></label>
      <label>Layer <select class="vis-layer"></select></label>
      <label>Unit <input class="vis-unit" type="number" min="0" value="0"></label>
      <button class="vis-run">Show</button>
    </div>
    <p class="vis-status" aria-live="polite">Press Show: the network (a few MB) loads from this site.</p>
    <div class="vis-views">
      <figure><canvas class="vis-top" aria-label="top 9 patches"></canvas><figcaption>Top 9 patches</figcaption></figure>
      <figure><canvas class="vis-max" aria-label="activation maximisation"></canvas><figcaption>Activation maximisation</figcaption></figure>
    </div>`;
  const $ = <T extends HTMLElement>(sel: string) => el.querySelector(sel) as T;
  const networkSelect = $<HTMLSelectElement>('.vis-network');
  const layerSelect = $<HTMLSelectElement>('.vis-layer');
  const unitInput = $<HTMLInputElement>('.vis-unit');
  const run = $<HTMLButtonElement>('.vis-run');
  const status = $('.vis-status');
  let engine: Engine | null = o.engine ?? null;
  const networks = new Map<VisualNetworkName, Promise<VisualNetwork>>();
  const prepared = new Map<VisualNetworkName, Promise<FloatImage[]>>();
  const setState = (state: string, text: string, error = false) => {
    el.dataset.state = state;
    status.textContent = text;
    status.classList.toggle('error', error);
  };
  const fillLayers = () => {
    const names = VISUAL_DEFAULT_LAYERS[networkSelect.value as VisualNetworkName];
    layerSelect.replaceChildren(...names.map((n) => new Option(n, n)));
  };
  fillLayers();
  networkSelect.addEventListener('change', fillLayers);

  const load = async (name: VisualNetworkName): Promise<VisualNetwork> => {
    engine ??= await createEngine();
    const e = engine;
    let p = networks.get(name);
    if (!p) {
      const spec = FACE_API_MODELS.faceRecognition;
      p = name === 'face-resnet'
        ? loadWeightsFromURL(new URL(spec.manifest, new URL(o.faceModelURL ?? './models/', location.href)), { sha256: spec.sha256 }).then((w) => faceResNetVisualNetwork(e, w))
        : centernetVisualNetwork(e, urlModelSource(o.centernetURL ?? DEFAULT_STYLE_MODEL_URL), 128);
      networks.set(name, p);
      p.catch(() => networks.delete(name));
    }
    return p;
  };
  const images = async (net: VisualNetwork): Promise<FloatImage[]> => {
    let p = prepared.get(net.name);
    if (!p) {
      p = (async () => {
        const decoded: RGBAImage[] = [];
        for (const url of o.images ?? DEFAULT_IMAGES) {
          const res = await fetch(url);
          if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
          decoded.push(...squares(await toRGBA(await res.blob())));
        }
        return prepareImages(net.graph.engine, decoded, net.inputSize);
      })();
      prepared.set(net.name, p);
      p.catch(() => prepared.delete(net.name));
    }
    return p;
  };

  run.addEventListener('click', async () => {
    run.disabled = true;
    try {
      setState('loading', 'Starting WebGPU and loading the network…');
      const net = await load(networkSelect.value as VisualNetworkName);
      const layer = layerSelect.value;
      const shape = await layerShape(net, layer);
      const units = shape[shape.length - 1]!;
      unitInput.max = String(units - 1);
      const unit = Number(unitInput.value);
      if (!(Number.isInteger(unit) && unit >= 0 && unit < units)) throw new Error(`layer ${layer} has units 0–${units - 1}, not ${unitInput.value}`);
      setState('running', `Finding the patches that drive ${layer} unit ${unit} most…`);
      const pictures = await images(net);
      const t0 = performance.now();
      const tp = await topPatches(net, pictures, layer, [unit], { maxPerImage: 2 });
      const rows = [tp.patches[0]!.slice(0, 3), tp.patches[0]!.slice(3, 6), tp.patches[0]!.slice(6, 9)].filter((r) => r.length);
      show($<HTMLCanvasElement>('.vis-top'), renderGrid(rows, { cell: 64 }));
      const am = await maximizeActivation(net, layer, unit, {
        steps,
        onStep: (s, a) => { status.textContent = `Climbing: step ${s}/${steps}, mean activation ${a.toFixed(3)}`; },
      });
      show($<HTMLCanvasElement>('.vis-max'), renderGrid([[stretchContrast(am.image)]], { cell: 200, gap: 0 }));
      const seconds = ((performance.now() - t0) / 1000).toFixed(1);
      setState('done', `${layer} unit ${unit} (of ${units}): receptive field ${tp.field.axes[0].size} px; mean activation ${am.start.toFixed(3)} → ${am.final.toFixed(3)}; ${seconds} s on ${engine?.adapterInfo.description || 'your GPU'}.`);
    } catch (e) {
      setState('error', `Failed: ${(e as Error).message}`, true);
    } finally {
      run.disabled = false;
    }
  });
}
