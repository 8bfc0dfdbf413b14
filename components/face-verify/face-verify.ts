import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { createFaceRecognizer, euclidean, indexedDBGalleryStorage, type BrowserImageInput, type DescribedFace, type FaceQueryOptions, type FaceRecognizerLike, type LivenessChallenge, type LivenessOptions } from '../../src/index.js';
import { defineElement } from '../define.js';
import { errorKind, ElementError, messageOf, type Activity } from '../shared/errors.js';
import { emit, type WvErrorDetail, type WvErrorKind } from '../shared/events.js';
import { dropZone, FileDrop } from '../shared/file-drop.js';
import { DEFAULT_ACCENT } from '../shared/theme.js';
import { styleProps } from '../style-props.js';
import { CameraController, CHALLENGES, type Side } from './camera-controller.js';
import './events.js'; // its event map joins the DOM's (types only)
import { faceChoice } from './face-choice.js';
import { People } from './people.js';
import { styles } from './face-verify.styles.js';
import type { CameraLivenessResult } from './liveness-run.js';
import { livenessEvidence, livenessPrompt } from './liveness-view.js';

/** An example photo offered as a thumbnail: one click uses it. */
export interface FaceExample {
  name: string;
  url: string;
  /**
   * 'a': under photo A; 'b': under photo B; 'identify': in identity mode, under the photo to check
   * ('a' examples there when there are none); 'enroll': in the enrol form, enrolling `person` from
   * the photo (which must show one face) with one click.
   */
  role: 'a' | 'b' | 'identify' | 'enroll';
  /** The name an 'enroll' example enrols (default: `name`). */
  person?: string;
}

interface Photo {
  bitmap: ImageBitmap;
  faces: DescribedFace[];
  /** The face the user chose (index into faces), or -1 while undecided. */
  selected: number;
  /** Whether the visitor chose the face (else it was pre-selected and may be chosen again). */
  userChose: boolean;
  /** The liveness check this photo came from (camera with `liveness`). */
  live?: CameraLivenessResult;
}

/** `liveness` = both challenges; `liveness="blink"` or `"turn"` or `"blink turn"` picks. */
const challengeList = {
  fromAttribute(value: string | null): LivenessChallenge[] | null {
    if (value === null) return null;
    const words = value.split(/[\s,]+/).filter(Boolean);
    const known = CHALLENGES.filter((c) => words.includes(c));
    if (known.length < new Set(words).size) console.warn(`wv-face-verify: liveness="${value}": only ${CHALLENGES.join(' and ')} are known`);
    return known.length ? known : [...CHALLENGES];
  },
  toAttribute: (value: LivenessChallenge[] | null) => (value ? value.join(' ') : null),
};

type Describe = (image: BrowserImageInput, options?: FaceQueryOptions) => Promise<DescribedFace[]>;

/**
 * Face verification (1:1) in one element: compare two photos, or check one photo against an
 * enrolled identity. Everything runs on the visitor's GPU; nothing is uploaded.
 *
 * @tagname wv-face-verify - defined by importing the module, once per page (a second copy leaves the first in place)
 * @event wv-progress - model download progress `{ model, loaded, total }`
 * @event wv-ready - models loaded `{ adapter }`
 * @event wv-faces - faces found in a photo `{ side, faces }`
 * @event wv-result - verdict `{ match, distance, threshold, confidence?, identity?, liveness? }`
 * @event wv-enrolled - a person was enrolled `{ id, descriptors }`
 * @event wv-forgotten - a person was forgotten (their descriptors erased from the gallery) `{ id }`
 * @event wv-liveness-progress - a camera frame of a liveness check `{ side, step, passed, t, timeLeftMs, face, ear, yaw, frames }`
 * @event wv-liveness - a liveness check ended `{ side, live, passed, reason, evidence, frames, maxFaceDistance, challenges, turnSide? }`
 * @event wv-error - `{ kind, message, input? }` (WvErrorDetail): kind 'no-webgpu' | 'model-load' | 'bad-image' | 'no-face' | 'camera-blocked' | 'camera-denied' | 'no-camera' | 'camera-unavailable' | 'other'; input 'a' or 'b' for a photo's error
 *
 * @csspart panel - the outer box
 * @csspart dropzone - a photo drop area (also `dropzone-a`, `dropzone-b`)
 * @csspart preview - the photo with the detected face boxes
 * @csspart faces - the choice among several faces of a photo (a radio group); @csspart face - one face's radio (also `face-selected`)
 * @csspart button - action buttons
 * @csspart examples - a row of example thumbnails; @csspart example - one thumbnail button
 * @csspart people - the list of enrolled people (identity mode); @csspart person - one of them; @csspart forget - a person's Forget button
 * @csspart verdict - the match / no match line
 * @csspart distance - the distance bar with the threshold mark
 * @csspart progress - the model loading bar
 * @csspart liveness - the liveness prompts; @csspart prompt - what to do now; @csspart time-left - the countdown
 * @csspart liveness-result - a liveness verdict with its evidence; @csspart evidence-plot - an EAR or yaw curve
 * @csspart error - error messages
 *
 * @cssprop --wv-accent - buttons and highlights
 * @cssprop --wv-match - colour of a match
 * @cssprop --wv-no-match - colour of a non-match
 * @cssprop --wv-radius - corner radius
 * @cssprop --wv-border - panel border
 * @cssprop --wv-font - font family
 */
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
  /**
   * The gallery the enrolled people persist to: a name in this origin's IndexedDB database
   * 'wgsl-vision' (elements with the same `store` share their people). Absent: the default gallery.
   * Read when the models load; unused with `recognizer`.
   */
  @property() store?: string;
  /** A recognizer to use instead of loading one (shared between elements, or a stand-in in tests). */
  @property({ attribute: false }) recognizer?: FaceRecognizerLike<BrowserImageInput>;
  /** Example photos shown as thumbnails under the pickers and the enrol form. */
  @property({ attribute: false }) examples: FaceExample[] = [];
  /**
   * Camera photos must first pass an active liveness check: `liveness` asks for a blink and a head
   * turn, `liveness="blink"` or `liveness="turn"` for one of them.
   */
  @property({ converter: challengeList }) liveness: LivenessChallenge[] | null = null;
  /** Options of the liveness check (time limit, blink duration, turn side, …; see evaluateLiveness). */
  @property({ attribute: false }) livenessOptions: LivenessOptions = {};

  @state() private status: 'loading' | 'ready' | 'error' = 'loading';
  @state() private progress = 0;
  @state() private error: WvErrorDetail | null = null;
  @state() private photos: Partial<Record<Side, Photo>> = {};
  @state() private busy: Side | null = null;
  @state() private notice: Partial<Record<Side, string>> = {};
  @state() private exampleChosen: Partial<Record<Side, string>> = {};

  @query('video') private video?: HTMLVideoElement;
  private readonly drop = new FileDrop<Side>(this, (side, file) => {
    this.exampleChosen = { ...this.exampleChosen, [side]: undefined };
    return this.setPhoto(side, file);
  });
  private readonly people = new People(this, () => this.recognizer!.gallery);
  private readonly camera = new CameraController(this, {
    video: () => this.video,
    liveness: () => this.liveness,
    livenessOptions: () => this.livenessOptions,
    threshold: () => this.threshold,
    describe: (image, options) => this.describe(image, options),
    took: (side, frame) => this.setPhoto(side, frame),
    passed: (side, frame, face, result) => this.usePhoto(side, frame, [face], result),
    failed: (kind, message, side) => this.fail(kind, message, side),
  });
  /** The recognizer this element loaded itself (not one it was given): disposed when it leaves the page. */
  private own: { dispose(): Promise<void> } | null = null;
  /** Bumped when the element leaves the page: a load still under way then is disposed when it ends. */
  private generation = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation++;
    // Its GPU memory and the gallery's database connection go with it; a given recognizer is the page's to keep.
    const own = this.own;
    if (own) {
      this.own = null;
      this.recognizer = undefined;
      this.status = 'loading';
      this.progress = 0;
      void own.dispose().catch(() => undefined);
    }
  }

  private async start(): Promise<void> {
    const generation = this.generation;
    if (this.recognizer) return this.ready();
    try {
      const recognizer = await createFaceRecognizer({
        modelBaseURL: this.modelUrl,
        detector: this.detector,
        ...(this.store ? { store: indexedDBGalleryStorage({ gallery: this.store }) } : {}),
        onProgress: (p) => {
          this.progress = p.total ? p.loaded / p.total : 0;
          emit(this, 'wv-progress', p);
        },
      });
      if (generation !== this.generation) return void recognizer.dispose().catch(() => undefined); // left the page meanwhile
      this.recognizer = recognizer;
      this.own = recognizer;
      await this.ready();
    } catch (e) {
      if (generation === this.generation) this.failWith(e, 'loading models', `The face models could not be loaded from ${this.modelUrl}: `);
    }
  }

  private async ready(): Promise<void> {
    try {
      await this.people.refresh();
    } catch (e) {
      this.fail('other', `The gallery could not be read: ${messageOf(e)}`);
      this.status = 'error';
      return;
    }
    this.status = 'ready';
    emit(this, 'wv-ready', { adapter: this.recognizer!.adapter });
  }

  /**
   * Forgets a person: their descriptors are erased from the gallery (and its IndexedDB records);
   * fires `wv-forgotten`. Resolves whether they were enrolled.
   */
  async forget(id: string): Promise<boolean> {
    if (!this.recognizer) throw new Error('wv-face-verify is not ready yet');
    this.error = null;
    let forgotten: boolean;
    try {
      forgotten = await this.recognizer.gallery.forget(id);
      await this.people.refresh();
    } catch (e) {
      this.fail('other', `${id} could not be forgotten: ${messageOf(e)}`);
      return false;
    }
    if (forgotten) emit(this, 'wv-forgotten', { id });
    this.preselect();
    return forgotten;
  }

  private fail(kind: WvErrorKind, message: string, input?: Side): void {
    if (kind === 'no-webgpu' || kind === 'model-load') this.status = 'error';
    this.error = { kind, message, ...(input ? { input } : {}) };
    emit(this, 'wv-error', this.error);
  }

  /**
   * Fails with what `error` is (by its class). `modelsPrefix` leads the message of a model that
   * did not load, which names where the models were looked for.
   */
  private failWith(error: unknown, activity: Activity, modelsPrefix = '', input?: Side): void {
    const kind = errorKind(error, activity);
    this.fail(kind, `${kind === 'model-load' ? modelsPrefix : ''}${messageOf(error)}`, input);
  }

  private get describe(): Describe {
    const r = this.recognizer!;
    return (image, options) => (r.describe as Describe).call(r, image, options);
  }

  /** Sets a photo from any image source (also used by file pick, drop and examples). */
  async setPhoto(side: Side, image: BrowserImageInput): Promise<void> {
    if (!this.recognizer) throw new Error('wv-face-verify is not ready yet');
    this.busy = side;
    this.error = null;
    this.notice = { ...this.notice, [side]: undefined };
    try {
      const bitmap = image instanceof ImageBitmap ? image : await createImageBitmap(image instanceof Blob ? image : await toBitmapSource(image));
      this.usePhoto(side, bitmap, await this.describe(image));
    } catch (e) {
      this.failWith(e, 'reading an image', '', side);
    } finally {
      this.busy = null;
    }
  }

  private usePhoto(side: Side, bitmap: ImageBitmap, faces: DescribedFace[], live?: CameraLivenessResult): void {
    this.photos = { ...this.photos, [side]: { bitmap, faces, selected: faces.length === 1 ? 0 : -1, userChose: false, ...(live ? { live } : {}) } };
    emit(this, 'wv-faces', { side, faces });
    if (faces.length === 0) {
      this.notice = { ...this.notice, [side]: 'No face found in this photo. Try one where the face is larger and well lit.' };
      this.fail('no-face', `no face found in photo ${side.toUpperCase()}`, side);
    } else if (faces.length > 1) {
      this.notice = { ...this.notice, [side]: `${faces.length} faces found: choose the one to use (click it, or the arrow keys).` };
    }
    this.preselect();
  }

  /**
   * With several faces in a photo, pre-select one the visitor has not chosen: in compare mode the
   * closest pair of the two photos, in identity mode the face closest to the chosen identity.
   */
  private preselect(): void {
    const { a, b } = this.photos;
    if (this.mode === 'identity') {
      const enrolled = this.people.descriptors;
      if (a && !a.userChose && a.faces.length > 1 && enrolled) {
        const distance = (f: DescribedFace) => Math.min(...enrolled.map((d) => euclidean(f.descriptor, d)));
        const best = a.faces.reduce((bi, f, i) => (distance(f) < distance(a.faces[bi]!) ? i : bi), 0);
        this.photos = { ...this.photos, a: { ...a, selected: best } };
        this.notice = { ...this.notice, a: `${a.faces.length} faces found: the one closest to ${this.people.identity} is marked; choose another to use it.` };
      }
      return this.report();
    }
    if (!a || !b || (a.selected >= 0 && b.selected >= 0)) return this.report();
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
      const enrolled = this.people.descriptors;
      if (!enrolled) return null;
      distance = Math.min(...enrolled.map((d) => euclidean(probe, d)));
    } else {
      const b = this.photos.b;
      if (!b || b.selected < 0) return null;
      distance = euclidean(probe, b.faces[b.selected]!.descriptor);
    }
    return { distance, match: distance <= this.threshold, confidence: this.recognizer!.confidence?.(distance), identity: this.mode === 'identity' ? this.people.identity : undefined };
  }

  /** With `liveness`: for each photo, whether it passed the check on the camera. */
  private get livenessOfPhotos(): { a?: boolean; b?: boolean } | undefined {
    if (!this.liveness) return undefined;
    const sides: Side[] = this.mode === 'identity' ? ['a'] : ['a', 'b'];
    return Object.fromEntries(sides.filter((s) => this.photos[s]).map((s) => [s, this.photos[s]!.live?.live === true]));
  }

  private report(): void {
    const r = this.result;
    const liveness = this.livenessOfPhotos;
    if (r) emit(this, 'wv-result', { ...r, threshold: this.threshold, ...(liveness ? { liveness } : {}) });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('mode')) this.preselect();
    else if (changed.has('threshold')) this.report();
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
      const accent = getComputedStyle(this).getPropertyValue('--wv-accent').trim() || DEFAULT_ACCENT;
      photo.faces.forEach((f, i) => {
        ctx.lineWidth = Math.max(2, bitmap.width / 200);
        ctx.strokeStyle = i === photo.selected ? accent : '#ffffffcc';
        ctx.setLineDash(i === photo.selected || photo.selected < 0 ? [] : [6, 4]);
        ctx.strokeRect(f.box.x, f.box.y, f.box.width, f.box.height);
      });
    }
  }

  /** The visitor chose face `index` of a photo. */
  private chooseFace(side: Side, index: number): void {
    const photo = this.photos[side];
    if (!photo || photo.selected === index && photo.userChose) return;
    this.photos = { ...this.photos, [side]: { ...photo, selected: index, userChose: true } };
    this.report();
  }

  /**
   * Uses an example: a photo example sets its side (and, in compare mode while the other photo is
   * empty, that side's first example too, so one click compares two); an 'enroll' example enrols its person.
   */
  async useExample(example: FaceExample): Promise<void> {
    if (example.role === 'enroll') {
      const photo = await this.fetchExample(example);
      if (photo) await this.enrollPhotos(example.person ?? example.name, [photo]);
      return;
    }
    const side: Side = example.role === 'identify' ? 'a' : example.role;
    const photo = await this.fetchExample(example, side);
    if (!photo) return;
    this.exampleChosen = { ...this.exampleChosen, [side]: example.url };
    await this.setPhoto(side, photo);
    const other: Side = side === 'a' ? 'b' : 'a';
    const partner = this.examples.find((e) => e.role === other);
    if (this.mode === 'compare' && partner && !this.photos[other] && this.busy === null) await this.useExample(partner);
  }

  private async fetchExample(example: FaceExample, input?: Side): Promise<Blob | null> {
    try {
      const res = await fetch(example.url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.blob();
    } catch (e) {
      this.fail('bad-image', `The example ${example.name} could not be loaded (${messageOf(e)}).`, input);
      return null;
    }
  }

  private async enroll(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const files = [...((form.elements.namedItem('photos') as HTMLInputElement).files ?? [])];
    if (!name || !files.length) return this.fail('other', 'Enrolling needs a name and at least one photo.');
    if (await this.enrollPhotos(name, files)) form.reset();
  }

  /** Enrols `name` from photos of one face each; resolves whether it did. */
  private async enrollPhotos(name: string, photos: Blob[]): Promise<boolean> {
    this.busy = 'b';
    this.error = null;
    try {
      const descriptors: Float32Array[] = [];
      for (const [i, photo] of photos.entries()) {
        const faces = await this.describe(photo);
        const label = photo instanceof File ? photo.name : `photo ${i + 1}`;
        if (faces.length !== 1) throw new ElementError('no-face', `${label}: ${faces.length ? `${faces.length} faces` : 'no face'} found; enrol with photos of one face`);
        descriptors.push(faces[0]!.descriptor);
      }
      await this.recognizer!.gallery.enroll(name, descriptors);
      await this.people.refresh(name);
      emit(this, 'wv-enrolled', { id: name, descriptors: descriptors.length });
      this.preselect();
      return true;
    } catch (e) {
      this.failWith(e, 'reading an image');
      return false;
    } finally {
      this.busy = null;
    }
  }

  private exampleRow(place: Side | 'enroll', label: string) {
    const identify = this.mode === 'identity' && place === 'a' && this.examples.some((e) => e.role === 'identify');
    const role: FaceExample['role'] = identify ? 'identify' : place;
    const examples = this.examples.filter((e) => e.role === role);
    if (!examples.length) return nothing;
    return html`
      <div part="examples" role="group" aria-label="Examples: ${label}">
        ${examples.map((ex) => {
          const person = ex.person ?? ex.name;
          const enrolled = role === 'enroll' && this.people.has(person);
          return html`
            <button part="example" type="button" title=${ex.name} data-role=${role}
              aria-label=${role === 'enroll' ? `Enrol ${person} from the example ${ex.name}` : `Use the example ${ex.name} as ${label}`}
              aria-pressed=${place === 'enroll' ? String(enrolled) : String(this.exampleChosen[place] === ex.url)}
              ?disabled=${this.busy !== null || enrolled} @click=${() => this.useExample(ex)}>
              <img src=${ex.url} alt="" loading="lazy" />
              ${role === 'enroll' ? html`<span>${enrolled ? `${person} enrolled` : `Enrol ${person}`}</span>` : nothing}
            </button>`;
        })}
      </div>`;
  }

  private cameraView() {
    const { live, side } = this.camera;
    const stop = () => this.camera.stop();
    if (!this.liveness) {
      return html`<div class="actions"><button part="button" @click=${() => this.camera.capture()}>Take photo</button>
        <button class="secondary" @click=${stop}>Cancel</button></div>`;
    }
    return html`
      ${live?.failed ? nothing : livenessPrompt(live?.progress ?? null, live?.challenges ?? [], live?.timeLimitMs ?? 1, live?.turnSide)}
      ${live?.failed ? livenessEvidence(live.failed, this.livenessOptions.closedRatio, this.livenessOptions.turnThreshold) : nothing}
      <div class="actions">
        ${live?.failed ? html`<button part="button" @click=${() => this.camera.check(side!)}>Try again</button>` : nothing}
        <button class="secondary" @click=${stop}>Cancel</button>
      </div>`;
  }

  /** A photo with its faces marked; with several, a radio per face over its box chooses the one to use. */
  private photoView(side: Side, photo: Photo, label: string) {
    const { width, height } = photo.bitmap;
    return html`
      <div class="photo">
        <canvas part="preview" data-side=${side} role="img" aria-label="${label} with ${photo.faces.length} face(s) marked"></canvas>
        ${photo.faces.length > 1
          ? faceChoice({ label, side, faces: photo.faces, selected: photo.selected, width, height, choose: (i) => (this.chooseFace(side, i), this.updateComplete) })
          : nothing}
      </div>
      ${photo.live ? livenessEvidence(photo.live, this.livenessOptions.closedRatio, this.livenessOptions.turnThreshold) : nothing}`;
  }

  private dropzone(side: Side, label: string) {
    const photo = this.photos[side];
    return html`
      <div part="dropzone dropzone-${side}" class=${this.drop.over === side ? 'over' : ''} ${dropZone(this.drop, side)}>
        ${this.camera.side === side
          ? html`<video muted playsinline aria-label="Camera picture"></video>${this.cameraView()}`
          : photo
            ? this.photoView(side, photo, label)
            : html`<p class="hint">${label}: drop a photo here${this.liveness ? ', or use the camera (with a liveness check)' : ''}</p>`}
        <p class="hint" role="status" data-side=${side}>${this.busy === side ? 'Finding faces…' : this.notice[side] ?? ''}</p>
        <div class="actions">
          <label part="button" class="button-like">
            <input class="sr-only" type="file" accept="image/*" data-side=${side} @change=${this.drop.picked(side)} />
            Choose photo
          </label>
          ${'mediaDevices' in navigator && this.camera.side !== side
            ? html`<button class="secondary" part="button" data-camera=${side} @click=${() => { this.error = null; void this.camera.open(side); }}>Camera</button>`
            : nothing}
        </div>
        ${this.exampleRow(side, label)}
      </div>`;
  }

  private identityPanel() {
    return html`
      <div part="dropzone dropzone-b" class="identity">
        <label>Identity
          <select @change=${(e: Event) => this.chooseIdentity((e.target as HTMLSelectElement).value)}>
            ${this.people.list.length ? nothing : html`<option value="">Nobody enrolled yet</option>`}
            ${this.people.list.map((p) => html`<option value=${p.id} ?selected=${p.id === this.people.identity}>${p.id} (${p.descriptors} photo${p.descriptors > 1 ? 's' : ''})</option>`)}
          </select>
        </label>
        ${this.peopleList()}
        <form @submit=${this.enroll}>
          <p class="hint">Enrol a person: a name and one or more photos of their face.</p>
          <input type="text" name="name" placeholder="Name" aria-label="Name" />
          <input type="file" name="photos" accept="image/*" multiple aria-label="Photos" />
          <button part="button" type="submit" ?disabled=${this.busy !== null}>Enroll</button>
        </form>
        <p class="hint" role="status">${this.busy === 'b' ? 'Enrolling…' : ''}</p>
        ${this.exampleRow('enroll', 'enrol a person')}
      </div>`;
  }

  private async chooseIdentity(id: string): Promise<void> {
    try {
      await this.people.choose(id);
    } catch (e) {
      return this.fail('other', `The gallery could not be read: ${messageOf(e)}`);
    }
    this.preselect();
  }

  /** Everyone enrolled, each with a Forget button that erases their descriptors. */
  private peopleList() {
    if (!this.people.list.length) return nothing;
    return html`
      <ul part="people" aria-label="Enrolled people">
        ${this.people.list.map((p) => html`
          <li part="person" data-id=${p.id}>
            <span class="who">${p.id}</span>
            <span class="count">${p.descriptors} photo${p.descriptors === 1 ? '' : 's'}</span>
            <button part="forget" type="button" class="secondary" aria-label="Forget ${p.id}" title="Erase ${p.id}'s face descriptors from this gallery"
              ?disabled=${this.busy !== null} @click=${() => this.forget(p.id)}>Forget</button>
          </li>`)}
      </ul>`;
  }

  private verdict() {
    const r = this.result;
    if (!r) return nothing;
    const scale = Math.max(this.threshold * 2, r.distance * 1.1);
    const who = r.identity ? ` as ${r.identity}` : '';
    const liveness = this.livenessOfPhotos;
    return html`
      <div part="verdict" class=${r.match ? 'match' : 'no-match'}>
        ${r.match ? `Match${who}` : `No match${who}`}
        <div part="distance" aria-hidden="true">
          <div class="fill" ${styleProps({ width: `${Math.min(100, (r.distance / scale) * 100)}%` })}></div>
          <div class="tau" ${styleProps({ left: `${(this.threshold / scale) * 100}%` })}></div>
        </div>
        <div class="numbers">distance ${r.distance.toFixed(3)} ${r.match ? '≤' : '>'} threshold ${this.threshold}${r.confidence !== undefined ? ` · P(same person) ${(r.confidence * 100).toFixed(1)}%` : ''}</div>
        ${liveness
          ? html`<div class="numbers live-note">${Object.entries(liveness).map(([s, ok]) => `Photo ${s.toUpperCase()}: ${ok ? 'live (checked on the camera)' : 'liveness not checked'}`).join(' · ')}</div>`
          : nothing}
      </div>`;
  }

  /**
   * The live regions (the element's status, its errors and the verdict) are in the page from the
   * first render on, empty until they have something to say: a region added together with its
   * words is not announced.
   */
  override render() {
    const error = this.error && this.error.kind !== 'no-face' ? this.error : null;
    return html`
      <div part="panel">
        ${this.status === 'ready' ? this.photosView() : nothing}
        ${this.status === 'loading' ? html`<progress part="progress" max="1" .value=${this.progress} aria-label="Loading the face models"></progress>` : nothing}
        <p class="hint" role="status">${this.status === 'loading' ? `Loading face models… ${Math.round(this.progress * 100)}%` : ''}</p>
        <div class="alerts" role="alert">${error ? html`<div part="error" data-kind=${error.kind}>${error.message}</div>` : nothing}</div>
        <div role="status">${this.status === 'ready' ? this.verdict() : nothing}</div>
      </div>`;
  }

  private photosView() {
    return html`
      <div class="photos">
        ${this.dropzone('a', this.mode === 'identity' ? 'Photo to check' : 'Photo A')}
        ${this.mode === 'identity' ? this.identityPanel() : this.dropzone('b', 'Photo B')}
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

defineElement('wv-face-verify', FaceVerify);

declare global {
  interface HTMLElementTagNameMap {
    'wv-face-verify': FaceVerify;
  }
}
