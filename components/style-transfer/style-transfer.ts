import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { createEngine, DEFAULT_STYLE_MODEL_URL, toRGBA, type BrowserImageInput, type Engine, type RGBAImage } from '../../src/index.js';
import { emit, type StyleErrorKind, type StyleLosses, type StyleRole } from './events.js';
import { lossPlot, type LossPoint } from './loss-plot.js';
import { paint, toPNG } from './pixels.js';
import { defaultRunner, type StyleRunner } from './run.js';
import { styles } from './style-transfer.styles.js';
import { defineElement } from '../define.js';

/** A bundled example image offered as a thumbnail under its picker. */
export interface StyleExample {
  name: string;
  url: string;
  role: StyleRole;
}

interface Picked {
  image: RGBAImage;
  /** Object URL of the picture shown in the picker. */
  url: string;
  name: string;
}

const ROLES: readonly StyleRole[] = ['content', 'style'];
const LABEL: Record<StyleRole, string> = { content: 'Content', style: 'Style' };

/**
 * Neural style transfer (Gatys et al.) in one element: pick a content photo and a style picture,
 * and the pixels of a new image are optimised on the visitor's GPU until its CNN features match
 * the content's and its Gram matrices match the style's. Nothing is uploaded.
 *
 * @tagname style-transfer - defined by importing the module, once per page (a second copy leaves the first in place)
 * @attr model-url - URL of the feature network's model.json (default `./models/style/centernet.json`)
 * @attr size - longest side of the result in pixels (default 256)
 * @attr iterations - optimisation steps (default 150)
 * @attr alpha - content weight α (default 1); @attr beta - style weight β (default 10; the slider sets β/α on a log scale)
 * @attr optimizer - 'adam' | 'lbfgs'; @attr init - 'mix' | 'content' | 'noise'; @attr seed
 * @attr tv-weight - total-variation smoothing; @attr preserve-color - keep the content's colours
 * @attr preview-every - repaint the preview every N steps (default 5)
 *
 * @event wv-style-ready - the GPU is ready `{ adapter }`
 * @event wv-style-input - an image was set `{ role, width, height, name }`
 * @event wv-style-start - a run began `{ size, iterations, alpha, beta }`
 * @event wv-style-progress - one step `{ iteration, iterations, J, Jcontent, Jstyle, image? }`
 * @event wv-style-done - finished `{ iteration, iterations, J, Jcontent, Jstyle, image, png, seconds }`
 * @event wv-error - `{ kind: 'no-webgpu' | 'model-load' | 'bad-image' | 'aborted' | 'other', message, role? }`
 *
 * @csspart panel - the outer box
 * @csspart picker - a content or style picker (also `picker-content`, `picker-style`)
 * @csspart dropzone - a picker's drop area and picture (also `dropzone-content`, `dropzone-style`)
 * @csspart examples - a row of example thumbnails; @csspart example - one thumbnail button
 * @csspart controls - the sliders and settings
 * @csspart button - buttons (Start, Cancel, Download); also `start`, `cancel`, `download`
 * @csspart result - the box around the preview; @csspart preview - the live result canvas
 * @csspart progress - the progress bar; @csspart stats - iteration and losses; @csspart plot - loss plot
 * @csspart error - error messages
 *
 * @cssprop --wv-accent - buttons, sliders and highlights
 * @cssprop --wv-radius - corner radius
 * @cssprop --wv-border - panel border
 * @cssprop --wv-surface - panel background
 * @cssprop --wv-font - font family
 * @cssprop --wv-plot-j, --wv-plot-style, --wv-plot-content - loss plot colours
 */
export class StyleTransfer extends LitElement {
  static override styles = styles;

  @property({ attribute: 'model-url' }) modelUrl = DEFAULT_STYLE_MODEL_URL;
  @property({ type: Number }) size = 256;
  @property({ type: Number }) iterations = 150;
  @property({ type: Number }) alpha = 1;
  @property({ type: Number }) beta = 10;
  @property() optimizer: 'adam' | 'lbfgs' = 'adam';
  @property() init: 'noise' | 'content' | 'mix' = 'mix';
  @property({ type: Number }) seed = 1;
  @property({ type: Number, attribute: 'tv-weight' }) tvWeight = 0;
  @property({ type: Boolean, attribute: 'preserve-color' }) preserveColor = false;
  @property({ type: Number, attribute: 'preview-every' }) previewEvery = 5;
  /** Example images shown as thumbnails; the first of each role is picked while that picker is empty. */
  @property({ attribute: false }) examples: StyleExample[] = [];
  /** An engine to share; the element creates its own otherwise. */
  @property({ attribute: false }) engine?: Engine;
  /** A styleTransfer-shaped function to run instead of the library's (a worker proxy, or a stand-in in tests). */
  @property({ attribute: false }) runner?: StyleRunner;

  @state() private status: 'starting' | 'ready' | 'error' = 'starting';
  @state() private error: { kind: StyleErrorKind; message: string } | null = null;
  @state() private picked: Partial<Record<StyleRole, Picked>> = {};
  @state() private badImage: Partial<Record<StyleRole, string>> = {};
  @state() private loadingRole: Partial<Record<StyleRole, boolean>> = {};
  @state() private over: StyleRole | null = null;
  @state() private phase: 'idle' | 'loading' | 'running' | 'done' | 'cancelled' = 'idle';
  @state() private losses: StyleLosses | null = null;
  @state() private history: LossPoint[] = [];
  @state() private seconds = 0;
  @state() private downloadURL: string | null = null;
  @state() private hasPreview = false;
  /** A run is under way (the controller alone would not re-render). */
  @state() private busy = false;

  @query('canvas[part=preview]') private canvas?: HTMLCanvasElement;
  private ownEngine: Engine | null = null;
  private controller: AbortController | null = null;
  private finalImage: RGBAImage | null = null;
  @state() private exampleChosen: Partial<Record<StyleRole, string>> = {};
  private tickets: Partial<Record<StyleRole, number>> = {};

  /** The last finished (or cancelled) result, or null. */
  get result(): RGBAImage | null {
    return this.finalImage;
  }

  /** True while an optimisation runs. */
  get running(): boolean {
    return this.busy;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.controller?.abort();
    this.ownEngine?.destroy();
    this.ownEngine = null;
    this.status = 'starting';
  }

  private async boot(): Promise<void> {
    if (this.engine) return this.ready(this.engine);
    if (!(globalThis.navigator as { gpu?: unknown } | undefined)?.gpu) {
      return this.fail('no-webgpu', 'This browser has no WebGPU, which style transfer needs. Try a recent Chrome, Edge or Safari, or enable WebGPU.');
    }
    try {
      this.ownEngine = await createEngine();
      if (!this.isConnected) return void this.ownEngine.destroy();
      this.ready(this.ownEngine);
    } catch (e) {
      const err = e as Error;
      this.fail(err.name === 'WebGPUUnavailableError' ? 'no-webgpu' : 'other', `WebGPU could not start: ${err.message}`);
    }
  }

  private ready(engine: Engine): void {
    this.status = 'ready';
    const info = engine.adapterInfo;
    emit(this, 'wv-style-ready', { adapter: info.description || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'WebGPU' });
  }

  private fail(kind: StyleErrorKind, message: string, role?: StyleRole): void {
    if (kind === 'no-webgpu') this.status = 'error';
    if (kind !== 'bad-image') this.error = { kind, message };
    emit(this, 'wv-error', { kind, message, ...(role ? { role } : {}) });
  }

  /** Sets the content or style image from any browser image source (files, drops and examples come here too). */
  setImage(role: StyleRole, input: BrowserImageInput, name = input instanceof File ? input.name : role): Promise<void> {
    return this.load(role, name, undefined, async () => input);
  }

  private useExample(example: StyleExample): Promise<void> {
    return this.load(example.role, example.name, example.url, async () => {
      let res: Response;
      try {
        res = await fetch(example.url);
      } catch (e) {
        throw new Error(`bad image: the example could not be loaded (${(e as Error).message})`);
      }
      if (!res.ok) throw new Error(`bad image: the example could not be loaded (HTTP ${res.status})`);
      return res.blob();
    });
  }

  /** Reads an image into a picker; of overlapping loads for one picker, the last one asked for wins. */
  private async load(role: StyleRole, name: string, exampleURL: string | undefined, get: () => Promise<BrowserImageInput>): Promise<void> {
    const ticket = (this.tickets[role] = (this.tickets[role] ?? 0) + 1);
    const current = () => this.tickets[role] === ticket;
    this.loadingRole = { ...this.loadingRole, [role]: true };
    try {
      const input = await get();
      const image = await toRGBA(input);
      const blob = input instanceof Blob ? input : await toPNG(image);
      if (!current()) return;
      const old = this.picked[role];
      if (old) URL.revokeObjectURL(old.url);
      this.picked = { ...this.picked, [role]: { image, url: URL.createObjectURL(blob), name } };
      this.badImage = { ...this.badImage, [role]: undefined };
      this.exampleChosen = { ...this.exampleChosen, [role]: exampleURL };
      if (this.error?.kind === 'bad-image') this.error = null;
      emit(this, 'wv-style-input', { role, width: image.width, height: image.height, name });
    } catch (e) {
      if (!current()) return;
      const message = `${name}: ${(e as Error).message.replace(/^bad image: /, '')}`;
      this.badImage = { ...this.badImage, [role]: message };
      this.fail('bad-image', message, role);
    } finally {
      if (current()) this.loadingRole = { ...this.loadingRole, [role]: false };
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('examples')) {
      for (const role of ROLES) {
        const first = this.examples.find((e) => e.role === role);
        if (first && !this.picked[role] && !this.exampleChosen[role] && !this.loadingRole[role]) void this.useExample(first);
      }
    }
  }

  /** Starts an optimisation run (if both images are set and none is running); resolves with the result, or null. */
  async start(): Promise<RGBAImage | null> {
    const content = this.picked.content?.image;
    const style = this.picked.style?.image;
    const engine = this.engine ?? this.ownEngine;
    if (!content || !style || !engine || this.controller) return null;
    const controller = new AbortController();
    this.controller = controller;
    this.busy = true;
    this.error = null;
    this.phase = 'loading';
    this.losses = null;
    this.history = [];
    this.finalImage = null;
    this.setDownload(null);
    const iterations = Math.max(1, Math.round(this.iterations));
    const size = Math.max(8, Math.round(this.size));
    const t0 = performance.now();
    let last: RGBAImage | null = null;
    emit(this, 'wv-style-start', { size, iterations, alpha: this.alpha, beta: this.beta });
    try {
      const steps = (this.runner ?? defaultRunner)({
        engine, modelURL: new URL(this.modelUrl, document.baseURI).href, content, style,
        alpha: this.alpha, beta: this.beta, size, iterations, optimizer: this.optimizer, init: this.init,
        seed: this.seed, tvWeight: this.tvWeight, preserveColor: this.preserveColor,
        previewEvery: Math.max(1, Math.round(this.previewEvery)), signal: controller.signal,
      });
      for await (const step of steps) {
        if (controller.signal.aborted) break;
        this.phase = 'running';
        this.losses = { iteration: step.iteration, iterations, J: step.J, Jcontent: step.Jcontent, Jstyle: step.Jstyle };
        this.history = [...this.history, { J: step.J, Jcontent: step.Jcontent, Jstyle: step.Jstyle }];
        this.seconds = (performance.now() - t0) / 1000;
        if (step.image) {
          last = step.image;
          this.showPreview(step.image);
        }
        emit(this, 'wv-style-progress', { ...this.losses, ...(step.image ? { image: step.image } : {}) });
      }
      if (controller.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      if (!last) throw new Error('the optimisation ended without an image');
      return await this.finish(last, t0);
    } catch (e) {
      if (controller.signal.aborted) {
        this.phase = 'cancelled';
        if (last) await this.keep(last);
        this.settle();
        this.fail('aborted', `Cancelled after ${this.losses?.iteration ?? 0} of ${iterations} iterations.`);
      } else {
        this.phase = 'idle';
        this.settle();
        this.failRun(e as Error);
      }
      return null;
    } finally {
      this.settle();
    }
  }

  /** The run is over: listeners of the final events see a settled element (Start enabled again). */
  private settle(): void {
    this.controller = null;
    this.busy = false;
  }

  /** Stops a running optimisation; the last preview stays and can be downloaded. */
  cancel(): void {
    this.controller?.abort();
  }

  private async finish(image: RGBAImage, t0: number): Promise<RGBAImage> {
    const png = await this.keep(image);
    this.seconds = (performance.now() - t0) / 1000;
    this.phase = 'done';
    this.settle();
    emit(this, 'wv-style-done', { ...this.losses!, image, png, seconds: this.seconds });
    return image;
  }

  /** Keeps an image as the result: preview, PNG for the Download link. */
  private async keep(image: RGBAImage): Promise<Blob> {
    this.finalImage = image;
    this.showPreview(image);
    const png = await toPNG(image);
    this.setDownload(URL.createObjectURL(png));
    return png;
  }

  private failRun(err: Error): void {
    const text = `${err.name}: ${err.message}`;
    if (/bad image/i.test(err.message)) return this.fail('bad-image', err.message);
    if (err.name === 'WeightsError' || /model|manifest|HTTP \d{3}|fetch/i.test(text)) {
      return this.fail('model-load', `The style network could not be loaded from ${this.modelUrl}: ${err.message}`);
    }
    if (err.name === 'WebGPUUnavailableError') return this.fail('no-webgpu', err.message);
    this.fail('other', `Style transfer failed: ${err.message}`);
  }

  private setDownload(url: string | null): void {
    if (this.downloadURL) URL.revokeObjectURL(this.downloadURL);
    this.downloadURL = url;
  }

  private showPreview(image: RGBAImage): void {
    this.hasPreview = true;
    if (this.canvas) paint(this.canvas, image);
  }

  private async onFile(role: StyleRole, e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) await this.setImage(role, file);
  }

  private async onDrop(role: StyleRole, e: DragEvent): Promise<void> {
    e.preventDefault();
    this.over = null;
    const file = e.dataTransfer?.files?.[0];
    if (file) await this.setImage(role, file);
  }

  private picker(role: StyleRole) {
    const picked = this.picked[role];
    const bad = this.badImage[role];
    const examples = this.examples.filter((e) => e.role === role);
    const busy = this.running;
    return html`
      <div part="picker picker-${role}">
        <p class="role" id="${role}-label">${LABEL[role]}</p>
        <label part="dropzone dropzone-${role}" class="${picked ? 'filled' : ''} ${this.over === role ? 'over' : ''} ${bad ? 'bad' : ''}"
          @dragover=${(e: DragEvent) => { e.preventDefault(); this.over = role; }}
          @dragleave=${() => (this.over = null)}
          @drop=${(e: DragEvent) => this.onDrop(role, e)}>
          <input class="sr-only" type="file" accept="image/*" data-role=${role} ?disabled=${busy}
            aria-label="Choose a ${role} image" @change=${(e: Event) => this.onFile(role, e)} />
          ${picked
            ? html`<img class="chosen" src=${picked.url} alt="${LABEL[role]} image: ${picked.name}" />
                <span class="change" aria-hidden="true">Change</span>`
            : html`<span aria-hidden="true">${this.loadingRole[role] ? 'Reading…' : 'Choose or drop an image'}</span>`}
        </label>
        ${bad ? html`<div part="error" class="picker-error" role="alert" data-role=${role}>Not a usable image — ${bad}</div>` : nothing}
        ${examples.length
          ? html`<div part="examples" role="group" aria-label="${LABEL[role]} examples">
              ${examples.map((ex) => html`
                <button part="example" type="button" title=${ex.name} aria-label="Use ${ex.name} as the ${role} image"
                  aria-pressed=${this.exampleChosen[role] === ex.url ? 'true' : 'false'} ?disabled=${busy}
                  @click=${() => this.useExample(ex)}><img src=${ex.url} alt="" loading="lazy" /></button>`)}
            </div>`
          : nothing}
      </div>`;
  }

  private slider(id: string, label: string, value: number, min: number, max: number, step: number, shown: string, set: (v: number) => void, ends?: [string, string]) {
    return html`
      <div class="slider">
        <label for=${id}>${label}</label><output for=${id}>${shown}</output>
        <input id=${id} type="range" min=${min} max=${max} step=${step} .value=${String(value)} ?disabled=${this.running}
          @input=${(e: Event) => set(Number((e.target as HTMLInputElement).value))} />
        ${ends ? html`<div class="ends" aria-hidden="true"><span>${ends[0]}</span><span>${ends[1]}</span></div>` : nothing}
      </div>`;
  }

  private controls() {
    const ratio = Math.log10(this.beta / this.alpha);
    return html`
      <div part="controls" class="controls">
        ${this.slider('ratio', 'Style weight β/α', Math.round(ratio * 4) / 4, -2, 4, 0.25, formatRatio(this.beta / this.alpha),
          (v) => (this.beta = this.alpha * 10 ** v), ['more content', 'more style'])}
        ${this.slider('size', 'Size', this.size, 32, 512, 16, `${this.size} px`, (v) => (this.size = v))}
        ${this.slider('iterations', 'Iterations', this.iterations, 10, 1000, 10, String(this.iterations), (v) => (this.iterations = v))}
        <details>
          <summary>More settings</summary>
          <div class="more">
            <label>Optimiser
              <select ?disabled=${this.running} @change=${(e: Event) => (this.optimizer = (e.target as HTMLSelectElement).value as 'adam')}>
                <option value="adam" ?selected=${this.optimizer === 'adam'}>Adam</option>
                <option value="lbfgs" ?selected=${this.optimizer === 'lbfgs'}>L-BFGS</option>
              </select>
            </label>
            <label>Start from
              <select ?disabled=${this.running} @change=${(e: Event) => (this.init = (e.target as HTMLSelectElement).value as 'mix')}>
                <option value="mix" ?selected=${this.init === 'mix'}>content + noise</option>
                <option value="content" ?selected=${this.init === 'content'}>content</option>
                <option value="noise" ?selected=${this.init === 'noise'}>noise</option>
              </select>
            </label>
            <label>Seed
              <input type="number" min="0" step="1" .value=${String(this.seed)} ?disabled=${this.running}
                @change=${(e: Event) => (this.seed = Number((e.target as HTMLInputElement).value) || 0)} />
            </label>
            <label class="check">
              <input type="checkbox" .checked=${this.preserveColor} ?disabled=${this.running}
                @change=${(e: Event) => (this.preserveColor = (e.target as HTMLInputElement).checked)} />
              Keep the content's colours
            </label>
          </div>
        </details>
      </div>`;
  }

  private progressView() {
    const l = this.losses;
    const message = {
      idle: this.picked.content && this.picked.style ? 'Ready: press Start.' : 'Choose a content and a style image.',
      loading: 'Loading the feature network and the style’s features…',
      running: 'Optimising the pixels…',
      done: `Done in ${this.seconds.toFixed(1)} s.`,
      cancelled: 'Cancelled.',
    }[this.phase];
    return html`
      <p class="hint" role="status">${message}</p>
      ${l || this.phase === 'loading'
        ? html`
          <progress part="progress" max=${l?.iterations ?? this.iterations} .value=${l?.iteration ?? 0}
            aria-label="Optimisation progress"></progress>
          ${l
            ? html`<div part="stats" class="stats">
                <span>Iteration <b data-stat="iteration">${l.iteration}</b> / ${l.iterations}</span>
                <span><i class="key J"></i>J <b data-stat="J">${formatLoss(l.J)}</b></span>
                <span><i class="key Jstyle"></i>style <b data-stat="Jstyle">${formatLoss(l.Jstyle)}</b></span>
                <span><i class="key Jcontent"></i>content <b data-stat="Jcontent">${formatLoss(l.Jcontent)}</b></span>
                <span>${((this.seconds / l.iteration) * 1000).toFixed(0)} ms/it</span>
              </div>
              ${lossPlot(this.history, l.iterations)}`
            : nothing}`
        : nothing}`;
  }

  override render() {
    if (this.status === 'error') {
      return html`<div part="panel"><div part="error" role="alert" data-kind=${this.error?.kind ?? ''}>${this.error?.message}</div></div>`;
    }
    const canStart = this.status === 'ready' && !!this.picked.content && !!this.picked.style && !this.running;
    return html`
      <div part="panel">
        <div class="layout">
          <div class="column">
            <div class="pickers">${ROLES.map((r) => this.picker(r))}</div>
            ${this.controls()}
            <div class="actions">
              <button part="button start" type="button" ?disabled=${!canStart} @click=${() => this.start()}>
                ${this.status === 'starting' ? 'Starting WebGPU…' : this.phase === 'done' || this.phase === 'cancelled' ? 'Run again' : 'Start'}
              </button>
              <button part="button cancel" class="secondary" type="button" ?disabled=${!this.running} @click=${() => this.cancel()}>Cancel</button>
            </div>
          </div>
          <div class="column">
            <div part="result">
              <canvas part="preview" class=${this.hasPreview ? '' : 'empty'} role="img" aria-label="Style transfer result"></canvas>
              ${this.hasPreview ? nothing : html`<p class="placeholder">The result appears here while it is optimised.</p>`}
            </div>
            ${this.progressView()}
            ${this.error ? html`<div part="error" role="alert" data-kind=${this.error.kind}>${this.error.message}</div>` : nothing}
            <div class="actions">
              <a part="button download" class="secondary" download="style-transfer.png" href=${this.downloadURL ?? nothing}
                aria-disabled=${this.downloadURL ? 'false' : 'true'}>Download PNG</a>
            </div>
          </div>
        </div>
      </div>`;
  }
}

/** β/α as 3 significant digits, or a power of ten for large ratios. */
function formatRatio(r: number): string {
  if (r < 1000) return String(Number(r.toPrecision(2)));
  const e = Math.floor(Math.log10(r));
  const m = r / 10 ** e;
  const sup = String(e).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]!);
  return m < 1.05 ? `10${sup}` : `${m.toFixed(1)}·10${sup}`;
}

function formatLoss(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(2) : v.toPrecision(3);
}

defineElement('style-transfer', StyleTransfer);

declare global {
  interface HTMLElementTagNameMap {
    'style-transfer': StyleTransfer;
  }
}
