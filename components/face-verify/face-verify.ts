import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { createFaceRecognizer, euclidean, type BrowserImageInput, type DescribedFace, type FaceRecognizerLike } from '../../src/index.js';
import { emit } from './events.js';
import { styles } from './face-verify.styles.js';

type Side = 'a' | 'b';

interface Photo {
  bitmap: ImageBitmap;
  faces: DescribedFace[];
  /** The face the user chose (index into faces), or -1 while undecided. */
  selected: number;
}

/**
 * Face verification (1:1) in one element: compare two photos, or check one photo against an
 * enrolled identity. Everything runs on the visitor's GPU; nothing is uploaded.
 *
 * @event wv-progress - model download progress `{ model, loaded, total }`
 * @event wv-ready - models loaded `{ adapter }`
 * @event wv-faces - faces found in a photo `{ side, faces }`
 * @event wv-result - verdict `{ match, distance, threshold, confidence?, identity? }`
 * @event wv-enrolled - a person was enrolled `{ id, descriptors }`
 * @event wv-error - `{ kind: 'no-webgpu' | 'model-load' | 'bad-image' | 'no-face' | 'other', message }`
 *
 * @csspart panel - the outer box
 * @csspart dropzone - a photo drop area (also `dropzone-a`, `dropzone-b`)
 * @csspart preview - the photo with the detected face boxes
 * @csspart button - action buttons
 * @csspart verdict - the match / no match line
 * @csspart distance - the distance bar with the threshold mark
 * @csspart progress - the model loading bar
 * @csspart error - error messages
 *
 * @cssprop --wv-accent - buttons and highlights
 * @cssprop --wv-match - colour of a match
 * @cssprop --wv-no-match - colour of a non-match
 * @cssprop --wv-radius - corner radius
 * @cssprop --wv-border - panel border
 * @cssprop --wv-font - font family
 */
@customElement('face-verify')
export class FaceVerify extends LitElement {
  static override styles = styles;

  /** 'compare' two photos, or check a photo against an enrolled 'identity'. */
  @property({ reflect: true }) mode: 'compare' | 'identity' = 'compare';
  /** Euclidean distance at or below which two faces are the same person. */
  @property({ type: Number }) threshold = 0.6;
  /** Folder URL of the face-api model files (manifests and shards), on your own origin. */
  @property({ attribute: 'model-url' }) modelUrl = './models/';
  /** Face detector: 'ssd' (SSD-MobileNetV1) or 'tiny' (tiny face detector). */
  @property() detector: 'ssd' | 'tiny' = 'ssd';
  /** A recognizer to use instead of loading one (shared between elements, or a stand-in in tests). */
  @property({ attribute: false }) recognizer?: FaceRecognizerLike<BrowserImageInput>;

  @state() private status: 'loading' | 'ready' | 'error' = 'loading';
  @state() private progress = 0;
  @state() private error: { kind: string; message: string } | null = null;
  @state() private photos: Partial<Record<Side, Photo>> = {};
  @state() private busy: Side | null = null;
  @state() private notice: Partial<Record<Side, string>> = {};
  @state() private identity = '';
  @state() private people: { id: string; descriptors: number }[] = [];
  @state() private cameraFor: Side | null = null;
  @state() private over: Side | null = null;

  @query('video') private video?: HTMLVideoElement;
  private stream: MediaStream | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopCamera();
  }

  private async start(): Promise<void> {
    if (this.recognizer) return this.ready();
    try {
      this.recognizer = await createFaceRecognizer({
        modelBaseURL: this.modelUrl,
        detector: this.detector,
        onProgress: (p) => {
          this.progress = p.total ? p.loaded / p.total : 0;
          emit(this, 'wv-progress', p);
        },
      });
      this.ready();
    } catch (e) {
      const err = e as Error;
      const kind = err.name === 'WebGPUUnavailableError' ? 'no-webgpu' : 'model-load';
      this.fail(kind, kind === 'model-load' ? `The face models could not be loaded from ${this.modelUrl}: ${err.message}` : err.message);
    }
  }

  private ready(): void {
    this.status = 'ready';
    this.people = this.recognizer!.gallery.list();
    if (!this.identity && this.people[0]) this.identity = this.people[0].id;
    emit(this, 'wv-ready', { adapter: this.recognizer!.adapter });
  }

  private fail(kind: 'no-webgpu' | 'model-load' | 'bad-image' | 'no-face' | 'other', message: string): void {
    if (kind === 'no-webgpu' || kind === 'model-load') this.status = 'error';
    this.error = { kind, message };
    emit(this, 'wv-error', { kind, message });
  }

  /** Sets a photo from any image source (also used by file pick, drop and camera). */
  async setPhoto(side: Side, image: BrowserImageInput): Promise<void> {
    if (!this.recognizer) throw new Error('face-verify is not ready yet');
    this.busy = side;
    this.error = null;
    this.notice = { ...this.notice, [side]: undefined };
    try {
      const bitmap = image instanceof ImageBitmap ? image : await createImageBitmap(image instanceof Blob ? image : await toBitmapSource(image));
      const faces = await this.recognizer.describe(image);
      this.photos = { ...this.photos, [side]: { bitmap, faces, selected: faces.length === 1 ? 0 : -1 } };
      emit(this, 'wv-faces', { side, faces });
      if (faces.length === 0) {
        this.notice = { ...this.notice, [side]: 'No face found in this photo. Try one where the face is larger and well lit.' };
        this.fail('no-face', `no face found in photo ${side.toUpperCase()}`);
      } else if (faces.length > 1) {
        this.notice = { ...this.notice, [side]: `${faces.length} faces found: tap the one to use.` };
      }
      this.pickBestPair();
    } catch (e) {
      const err = e as Error;
      this.fail(/bad image/i.test(err.message) ? 'bad-image' : 'other', err.message);
    } finally {
      this.busy = null;
    }
  }

  /** In compare mode with several faces on both sides, pre-select the closest pair. */
  private pickBestPair(): void {
    const { a, b } = this.photos;
    if (this.mode !== 'compare' || !a || !b || (a.selected >= 0 && b.selected >= 0)) return this.report();
    let best = { i: -1, j: -1, d: Infinity };
    a.faces.forEach((fa, i) => b.faces.forEach((fb, j) => {
      const d = euclidean(fa.descriptor, fb.descriptor);
      if ((a.selected < 0 || a.selected === i) && (b.selected < 0 || b.selected === j) && d < best.d) best = { i, j, d };
    }));
    if (best.i >= 0) this.photos = { a: { ...a, selected: best.i }, b: { ...b, selected: best.j } };
    this.report();
  }

  private get result(): { distance: number; match: boolean; confidence?: number; identity?: string } | null {
    const a = this.photos.a;
    if (!a || a.selected < 0) return null;
    const probe = a.faces[a.selected]!.descriptor;
    let distance: number;
    if (this.mode === 'identity') {
      if (!this.identity || !this.people.some((p) => p.id === this.identity)) return null;
      distance = Math.min(...this.recognizer!.gallery.descriptorsOf(this.identity).map((d) => euclidean(probe, d)));
    } else {
      const b = this.photos.b;
      if (!b || b.selected < 0) return null;
      distance = euclidean(probe, b.faces[b.selected]!.descriptor);
    }
    return { distance, match: distance <= this.threshold, confidence: this.recognizer!.confidence?.(distance), identity: this.mode === 'identity' ? this.identity : undefined };
  }

  private report(): void {
    const r = this.result;
    if (r) emit(this, 'wv-result', { ...r, threshold: this.threshold });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('threshold') || changed.has('mode')) this.report();
    this.drawPreviews();
  }

  private drawPreviews(): void {
    for (const side of ['a', 'b'] as Side[]) {
      const photo = this.photos[side];
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>(`canvas[data-side='${side}']`);
      if (!photo || !canvas) continue;
      const { bitmap } = photo;
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const accent = getComputedStyle(this).getPropertyValue('--wv-accent').trim() || '#2f6fde';
      photo.faces.forEach((f, i) => {
        ctx.lineWidth = Math.max(2, bitmap.width / 200);
        ctx.strokeStyle = i === photo.selected ? accent : '#ffffffcc';
        ctx.setLineDash(i === photo.selected || photo.selected < 0 ? [] : [6, 4]);
        ctx.strokeRect(f.box.x, f.box.y, f.box.width, f.box.height);
      });
    }
  }

  private choose(side: Side, event: MouseEvent): void {
    const photo = this.photos[side];
    const canvas = event.currentTarget as HTMLCanvasElement;
    if (!photo) return;
    const rect = canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * canvas.width;
    const y = ((event.clientY - rect.top) / rect.height) * canvas.height;
    const hit = photo.faces.findIndex((f) => x >= f.box.x && x <= f.box.x + f.box.width && y >= f.box.y && y <= f.box.y + f.box.height);
    if (hit >= 0) {
      this.photos = { ...this.photos, [side]: { ...photo, selected: hit } };
      this.report();
    }
  }

  private async onFile(side: Side, e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) await this.setPhoto(side, file);
  }

  private async onDrop(side: Side, e: DragEvent): Promise<void> {
    e.preventDefault();
    this.over = null;
    const file = e.dataTransfer?.files?.[0];
    if (file) await this.setPhoto(side, file);
  }

  private async startCamera(side: Side): Promise<void> {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' } });
      this.cameraFor = side;
      await this.updateComplete;
      this.video!.srcObject = this.stream;
      await this.video!.play();
    } catch (e) {
      this.fail('other', `The camera is not available: ${(e as Error).message}`);
    }
  }

  private async capture(): Promise<void> {
    const side = this.cameraFor!;
    const frame = await createImageBitmap(this.video!);
    this.stopCamera();
    await this.setPhoto(side, frame);
  }

  private stopCamera(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.cameraFor = null;
  }

  private async enroll(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const files = [...((form.elements.namedItem('photos') as HTMLInputElement).files ?? [])];
    if (!name || !files.length) return this.fail('other', 'Enrolling needs a name and at least one photo.');
    this.busy = 'b';
    try {
      const descriptors: Float32Array[] = [];
      for (const f of files) {
        const faces = await this.recognizer!.describe(f);
        if (faces.length !== 1) throw new Error(`${f.name}: ${faces.length ? `${faces.length} faces` : 'no face'} found; enrol with photos of one face`);
        descriptors.push(faces[0]!.descriptor);
      }
      await this.recognizer!.gallery.enroll(name, descriptors);
      this.people = this.recognizer!.gallery.list();
      this.identity = name;
      form.reset();
      emit(this, 'wv-enrolled', { id: name, descriptors: descriptors.length });
      this.report();
    } catch (err) {
      this.fail(/bad image/i.test((err as Error).message) ? 'bad-image' : 'no-face', (err as Error).message);
    } finally {
      this.busy = null;
    }
  }

  private dropzone(side: Side, label: string) {
    const photo = this.photos[side];
    return html`
      <div part="dropzone dropzone-${side}" class=${this.over === side ? 'over' : ''}
        @dragover=${(e: DragEvent) => { e.preventDefault(); this.over = side; }}
        @dragleave=${() => (this.over = null)}
        @drop=${(e: DragEvent) => this.onDrop(side, e)}>
        ${this.cameraFor === side
          ? html`<video muted playsinline></video>
              <div class="actions"><button part="button" @click=${this.capture}>Take photo</button>
              <button class="secondary" @click=${this.stopCamera}>Cancel</button></div>`
          : photo
            ? html`<canvas part="preview" data-side=${side} role="img" aria-label="${label} with ${photo.faces.length} face(s) marked" @click=${(e: MouseEvent) => this.choose(side, e)}></canvas>`
            : html`<p class="hint">${label}: drop a photo here</p>`}
        ${this.busy === side ? html`<p class="hint" role="status">Finding faces…</p>` : nothing}
        ${this.notice[side] ? html`<p class="hint" role="status">${this.notice[side]}</p>` : nothing}
        <div class="actions">
          <label part="button" class="button-like">
            <input class="sr-only" type="file" accept="image/*" data-side=${side} @change=${(e: Event) => this.onFile(side, e)} />
            Choose photo
          </label>
          ${'mediaDevices' in navigator ? html`<button class="secondary" part="button" @click=${() => this.startCamera(side)}>Camera</button>` : nothing}
        </div>
      </div>`;
  }

  private identityPanel() {
    return html`
      <div part="dropzone dropzone-b" class="identity">
        <label>Identity
          <select @change=${(e: Event) => { this.identity = (e.target as HTMLSelectElement).value; this.report(); }}>
            ${this.people.length ? nothing : html`<option value="">Nobody enrolled yet</option>`}
            ${this.people.map((p) => html`<option value=${p.id} ?selected=${p.id === this.identity}>${p.id} (${p.descriptors} photo${p.descriptors > 1 ? 's' : ''})</option>`)}
          </select>
        </label>
        <form @submit=${this.enroll}>
          <p class="hint">Enrol a person: a name and one or more photos of their face.</p>
          <input type="text" name="name" placeholder="Name" aria-label="Name" />
          <input type="file" name="photos" accept="image/*" multiple aria-label="Photos" />
          <button part="button" type="submit" ?disabled=${this.busy !== null}>Enroll</button>
        </form>
      </div>`;
  }

  private verdict() {
    const r = this.result;
    if (!r) return nothing;
    const scale = Math.max(this.threshold * 2, r.distance * 1.1);
    const who = r.identity ? ` as ${r.identity}` : '';
    return html`
      <div part="verdict" class=${r.match ? 'match' : 'no-match'} role="status">
        ${r.match ? `Match${who}` : `No match${who}`}
        <div part="distance" aria-hidden="true">
          <div class="fill" style="width: ${Math.min(100, (r.distance / scale) * 100)}%"></div>
          <div class="tau" style="left: ${(this.threshold / scale) * 100}%"></div>
        </div>
        <div class="numbers">distance ${r.distance.toFixed(3)} ${r.match ? '≤' : '>'} threshold ${this.threshold}${r.confidence !== undefined ? ` · P(same person) ${(r.confidence * 100).toFixed(1)}%` : ''}</div>
      </div>`;
  }

  override render() {
    if (this.status === 'error') {
      return html`<div part="panel"><div part="error" role="alert">${this.error?.message}</div></div>`;
    }
    if (this.status === 'loading') {
      return html`<div part="panel"><p role="status">Loading face models… ${Math.round(this.progress * 100)}%</p>
        <progress part="progress" max="1" .value=${this.progress}></progress></div>`;
    }
    return html`
      <div part="panel">
        <div class="photos">
          ${this.dropzone('a', this.mode === 'identity' ? 'Photo to check' : 'Photo A')}
          ${this.mode === 'identity' ? this.identityPanel() : this.dropzone('b', 'Photo B')}
        </div>
        ${this.error && this.error.kind !== 'no-face' ? html`<div part="error" role="alert">${this.error.message}</div>` : nothing}
        ${this.verdict()}
      </div>`;
  }
}

/** ImageBitmap sources: pixels in RGBA form go through ImageData. */
async function toBitmapSource(image: BrowserImageInput): Promise<ImageBitmapSource> {
  if ('data' in image && !(typeof ImageData !== 'undefined' && image instanceof ImageData)) {
    return new ImageData(new Uint8ClampedArray(image.data), image.width, image.height);
  }
  return image as ImageBitmapSource;
}

declare global {
  interface HTMLElementTagNameMap {
    'face-verify': FaceVerify;
  }
}
