import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { createEngine, DEFAULT_STYLE_MODEL_URL, type BrowserImageInput, type Engine, type RGBAImage } from '../../src/index.js';
import { defineElement } from '../define.js';
import { errorKind, messageOf } from '../shared/errors.js';
import { emit, type WvErrorDetail, type WvErrorKind } from '../shared/events.js';
import { dropZone, FileDrop } from '../shared/file-drop.js';
import type { StyleRole } from './events.js';
import { formatLoss, formatRatio } from './format.js';
import { lossPlot } from './loss-plot.js';
import { Pickers, type StyleExample } from './pickers.js';
import { paint } from './pixels.js';
import { defaultRunner, StyleRun, type StyleRunner } from './run.js';
import { styles } from './style-transfer.styles.js';

export type { StyleExample } from './pickers.js';

const ROLES: readonly StyleRole[] = ['content', 'style'];
const LABEL: Record<StyleRole, string> = { content: 'Content', style: 'Style' };

/**
 * Neural style transfer (Gatys et al.) in one element: pick a content photo and a style picture,
 * and the pixels of a new image are optimised on the visitor's GPU until its CNN features match
 * the content's and its Gram matrices match the style's. Nothing is uploaded.
 *
 * @tagname wv-style-transfer - defined by importing the module, once per page (a second copy leaves the first in place)
 * @attr model-url - URL of the feature network's model.json (default `./models/style/centernet.json`)
 * @attr size - longest side of the result in pixels (default 256)
 * @attr iterations - optimisation steps (default 150)
 * @attr content-weight - the content weight α (default 1); @attr style-weight - the style weight β (default 10; the slider sets β/α on a log scale)
 * @attr optimizer - 'adam' | 'lbfgs'; @attr init - 'mix' | 'content' | 'noise'; @attr seed
 * @attr tv-weight - total-variation smoothing; @attr preserve-color - keep the content's colours
 * @attr preview-every - repaint the preview every N steps (default 5)
 *
 * @event wv-style-ready - the GPU is ready `{ adapter }`
 * @event wv-style-input - an image was set `{ role, width, height, name }`
 * @event wv-style-start - a run began `{ size, iterations, contentWeight, styleWeight }`
 * @event wv-style-progress - one step `{ iteration, iterations, J, Jcontent, Jstyle, image? }`
 * @event wv-style-done - finished `{ iteration, iterations, J, Jcontent, Jstyle, image, png, seconds }`
 * @event wv-error - `{ kind, message, input? }` (WvErrorDetail): kind 'no-webgpu' | 'model-load' | 'bad-image' | 'aborted' | 'other'; input 'content' or 'style' for a picker's bad image
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
  /** The content weight α of the cost α·Jcontent + β·Jstyle. */
  @property({ type: Number, attribute: 'content-weight' }) contentWeight = 1;
  /** The style weight β. */
  @property({ type: Number, attribute: 'style-weight' }) styleWeight = 10;
  @property() optimizer: 'adam' | 'lbfgs' = 'adam';
  @property() init: 'noise' | 'content' | 'mix' = 'mix';
  @property({ type: Number }) seed = 1;
  @property({ type: Number, attribute: 'tv-weight' }) tvWeight = 0;
  @property({ type: Boolean, attribute: 'preserve-color' }) preserveColor = false;
  @property({ type: Number, attribute: 'preview-every' }) previewEvery = 5;
  /** Example images shown as thumbnails; the first of each role is picked while that picker is empty. */
  @property({ attribute: false }) examples: StyleExample[] = [];
  /** An engine to share; the element creates its own otherwise (and destroys it when it leaves the page). */
  @property({ attribute: false }) engine?: Engine;
  /** A styleTransfer-shaped function to run instead of the library's (a worker proxy, or a stand-in in tests). */
  @property({ attribute: false }) runner?: StyleRunner;

  @state() private status: 'starting' | 'ready' | 'error' = 'starting';
  /** The element's error (a picker's bad image is shown at its picker instead). */
  @state() private error: WvErrorDetail | null = null;
  @state() private hasPreview = false;

  @query('canvas[part=preview]') private canvas?: HTMLCanvasElement;
  private readonly pickers = new Pickers(this);
  private readonly run = new StyleRun(this);
  private readonly drop = new FileDrop<StyleRole>(this, (role, file) => this.setImage(role, file));
  private ownEngine: Engine | null = null;
  /** Bumped when the element leaves the page: an engine still starting then is destroyed when it is ready. */
  private generation = 0;

  /** The last finished (or cancelled) result, or null. */
  get result(): RGBAImage | null {
    return this.run.result;
  }

  /** True while an optimisation runs. */
  get running(): boolean {
    return this.run.running;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation++;
    // The run controller cancels a run; the engine's GPU memory goes with the element (a given engine is the page's to keep).
    this.ownEngine?.destroy();
    this.ownEngine = null;
    this.status = 'starting';
  }

  private async boot(): Promise<void> {
    const generation = this.generation;
    if (this.engine) return this.ready(this.engine);
    if (!(globalThis.navigator as { gpu?: unknown } | undefined)?.gpu) {
      return this.fail('no-webgpu', 'This browser has no WebGPU, which style transfer needs. Try a recent Chrome, Edge or Safari, or enable WebGPU.');
    }
    try {
      const engine = await createEngine();
      if (generation !== this.generation) return engine.destroy(); // left the page meanwhile
      this.ownEngine = engine;
      this.ready(engine);
    } catch (e) {
      if (generation === this.generation) this.fail(errorKind(e), `WebGPU could not start: ${messageOf(e)}`);
    }
  }

  private ready(engine: Engine): void {
    this.status = 'ready';
    const info = engine.adapterInfo;
    emit(this, 'wv-style-ready', { adapter: info.description || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'WebGPU' });
  }

  private fail(kind: WvErrorKind, message: string, input?: StyleRole): void {
    if (kind === 'no-webgpu') this.status = 'error';
    const detail: WvErrorDetail = { kind, message, ...(input ? { input } : {}) };
    if (kind !== 'bad-image') this.error = detail;
    emit(this, 'wv-error', detail);
  }

  /** For the pickers: an image that could not be read is shown at its picker. */
  imageFailed(role: StyleRole, error: unknown, name: string): void {
    this.fail(errorKind(error, 'reading an image'), `${name}: ${messageOf(error)}`, role);
  }

  /** For the run: a run that failed or was cancelled. */
  runFailed(error: unknown): void {
    const kind = errorKind(error);
    const message = messageOf(error);
    this.fail(kind, kind === 'model-load' ? `The style network could not be loaded from ${this.modelUrl}: ${message}`
      : kind === 'aborted' || kind === 'no-webgpu' ? message : `Style transfer failed: ${message}`);
  }

  /** For the run: paints a step's image on the preview canvas. */
  showPreview(image: RGBAImage): void {
    this.hasPreview = true;
    if (this.canvas) paint(this.canvas, image);
  }

  /** Sets the content or style image from any browser image source (files, drops and examples come here too). */
  setImage(role: StyleRole, input: BrowserImageInput, name = input instanceof File ? input.name : role): Promise<void> {
    return this.pickers.set(role, input, name);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('examples')) this.pickers.offer(this.examples);
  }

  /** Starts an optimisation run (if both images are set and none is running); resolves with the result, or null. */
  async start(): Promise<RGBAImage | null> {
    const content = this.pickers.picked.content?.image;
    const style = this.pickers.picked.style?.image;
    const engine = this.engine ?? this.ownEngine;
    if (!content || !style || !engine || this.run.running) return null;
    this.error = null;
    return this.run.start(this.runner ?? defaultRunner, {
      engine, modelURL: new URL(this.modelUrl, document.baseURI).href, content, style,
      contentWeight: this.contentWeight, styleWeight: this.styleWeight, size: Math.max(8, Math.round(this.size)), iterations: Math.max(1, Math.round(this.iterations)),
      optimizer: this.optimizer, init: this.init, seed: this.seed, tvWeight: this.tvWeight, preserveColor: this.preserveColor,
      previewEvery: Math.max(1, Math.round(this.previewEvery)),
    });
  }

  /** Stops a running optimisation; the last preview stays and can be downloaded. */
  cancel(): void {
    this.run.cancel();
  }

  private picker(role: StyleRole) {
    const { picked: { [role]: picked }, bad: { [role]: bad } } = this.pickers;
    const examples = this.examples.filter((e) => e.role === role);
    const busy = this.running;
    return html`
      <div part="picker picker-${role}">
        <p class="role" id="${role}-label">${LABEL[role]}</p>
        <label part="dropzone dropzone-${role}" class="${picked ? 'filled' : ''} ${this.drop.over === role ? 'over' : ''} ${bad ? 'bad' : ''}"
          ${dropZone(this.drop, role)}>
          <input class="sr-only" type="file" accept="image/*" data-role=${role} ?disabled=${busy}
            aria-label="Choose a ${role} image" @change=${this.drop.picked(role)} />
          ${picked
            ? html`<img class="chosen" src=${picked.url} alt="${LABEL[role]} image: ${picked.name}" />
                <span class="change" aria-hidden="true">Change</span>`
            : html`<span aria-hidden="true">${this.pickers.loading[role] ? 'Reading…' : 'Choose or drop an image'}</span>`}
        </label>
        <div role="alert">${bad ? html`<div part="error" class="picker-error" data-role=${role}>Not a usable image: ${bad}</div>` : nothing}</div>
        ${examples.length
          ? html`<div part="examples" role="group" aria-label="${LABEL[role]} examples">
              ${examples.map((ex) => html`
                <button part="example" type="button" title=${ex.name} aria-label="Use ${ex.name} as the ${role} image"
                  aria-pressed=${this.pickers.exampleChosen[role] === ex.url ? 'true' : 'false'} ?disabled=${busy}
                  @click=${() => this.pickers.useExample(ex)}><img src=${ex.url} alt="" loading="lazy" /></button>`)}
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
    const ratio = Math.log10(this.styleWeight / this.contentWeight);
    return html`
      <div part="controls" class="controls">
        ${this.slider('ratio', 'Style weight β/α', Math.round(ratio * 4) / 4, -2, 4, 0.25, formatRatio(this.styleWeight / this.contentWeight),
          (v) => (this.styleWeight = this.contentWeight * 10 ** v), ['more content', 'more style'])}
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
    const { losses: l, phase, seconds, history } = this.run;
    const message = {
      idle: this.pickers.picked.content && this.pickers.picked.style ? 'Ready: press Start.' : 'Choose a content and a style image.',
      loading: 'Loading the feature network and the style’s features…',
      running: 'Optimising the pixels…',
      done: `Done in ${seconds.toFixed(1)} s.`,
      cancelled: 'Cancelled.',
    }[phase];
    return html`
      <p class="hint" role="status">${message}</p>
      ${l || phase === 'loading'
        ? html`
          <progress part="progress" max=${l?.iterations ?? this.iterations} .value=${l?.iteration ?? 0}
            aria-label="Optimisation progress"></progress>
          ${l
            ? html`<div part="stats" class="stats">
                <span>Iteration <b data-stat="iteration">${l.iteration}</b> / ${l.iterations}</span>
                <span><i class="key J"></i>J <b data-stat="J">${formatLoss(l.J)}</b></span>
                <span><i class="key Jstyle"></i>style <b data-stat="Jstyle">${formatLoss(l.Jstyle)}</b></span>
                <span><i class="key Jcontent"></i>content <b data-stat="Jcontent">${formatLoss(l.Jcontent)}</b></span>
                <span>${((seconds / l.iteration) * 1000).toFixed(0)} ms/it</span>
              </div>
              ${lossPlot(history, l.iterations)}`
            : nothing}`
        : nothing}`;
  }

  /** The element's alert region is in the page from the first render on; errors appear inside it. */
  override render() {
    const alerts = html`<div role="alert">${this.error ? html`<div part="error" data-kind=${this.error.kind}>${this.error.message}</div>` : nothing}</div>`;
    if (this.status === 'error') return html`<div part="panel">${alerts}</div>`;
    const { phase, downloadURL } = this.run;
    const canStart = this.status === 'ready' && !!this.pickers.picked.content && !!this.pickers.picked.style && !this.running;
    return html`
      <div part="panel">
        <div class="layout">
          <div class="column">
            <div class="pickers">${ROLES.map((r) => this.picker(r))}</div>
            ${this.controls()}
            <div class="actions">
              <button part="button start" type="button" ?disabled=${!canStart} @click=${() => this.start()}>
                ${this.status === 'starting' ? 'Starting WebGPU…' : phase === 'done' || phase === 'cancelled' ? 'Run again' : 'Start'}
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
            ${alerts}
            <div class="actions">
              <a part="button download" class="secondary" download="style-transfer.png" href=${downloadURL ?? nothing}
                aria-disabled=${downloadURL ? 'false' : 'true'}>Download PNG</a>
            </div>
          </div>
        </div>
      </div>`;
  }
}

defineElement('wv-style-transfer', StyleTransfer);

declare global {
  interface HTMLElementTagNameMap {
    'wv-style-transfer': StyleTransfer;
  }
}
