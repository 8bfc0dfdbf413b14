/**
 * How <wv-style-transfer> runs the optimisation: the public styleTransfer() (or a stand-in with
 * its shape), driven by a reactive controller that holds the run's state for the element to show.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { styleTransfer, type Engine, type RGBAImage, type StyleStep } from '../../src/index.js';
import { emit } from '../shared/events.js';
import type { StyleLosses } from './events.js';
import type { LossPoint } from './loss-plot.js';
import { toPNG } from './pixels.js';

export interface StyleRunOptions {
  engine: Engine;
  /** URL of the feature network's model.json (tfjs graph model). */
  modelURL: string;
  content: RGBAImage;
  style: RGBAImage;
  /** The weights α and β of the cost α·Jcontent + β·Jstyle. */
  contentWeight: number;
  styleWeight: number;
  size: number;
  iterations: number;
  optimizer: 'adam' | 'lbfgs';
  init: 'noise' | 'content' | 'mix';
  seed: number;
  tvWeight: number;
  preserveColor: boolean;
  previewEvery: number;
  signal: AbortSignal;
}

/** One progress step: the library's StyleStep. */
export type StyleRunStep = StyleStep;

/** Anything with styleTransfer()'s shape: an async sequence of steps, the last one `done` with the image. */
export type StyleRunner = (options: StyleRunOptions) => AsyncIterable<StyleRunStep>;

/** The library's styleTransfer(), the feature network loaded from `modelURL`. */
export const defaultRunner: StyleRunner = ({ engine, modelURL, ...options }) => styleTransfer(engine, { ...options, model: modelURL });

export type RunPhase = 'idle' | 'loading' | 'running' | 'done' | 'cancelled';

/** What the controller needs of its element: where to paint previews and where failures go. */
export interface StyleRunHost extends ReactiveControllerHost, EventTarget {
  showPreview(image: RGBAImage): void;
  /** A run that failed, or was cancelled (an AbortError). */
  runFailed(error: unknown): void;
}

/**
 * One optimisation run at a time: its phase, losses, loss history, time and result, and the PNG
 * behind the Download link. Leaving the page cancels a run.
 */
export class StyleRun implements ReactiveController {
  phase: RunPhase = 'idle';
  losses: StyleLosses | null = null;
  history: LossPoint[] = [];
  seconds = 0;
  /** The last finished (or cancelled) result. */
  result: RGBAImage | null = null;
  /** Object URL of the result's PNG. */
  downloadURL: string | null = null;
  private controller: AbortController | null = null;

  constructor(private readonly host: StyleRunHost) {
    host.addController(this);
  }

  get running(): boolean {
    return this.controller !== null;
  }

  hostDisconnected(): void {
    this.cancel();
  }

  cancel(): void {
    this.controller?.abort();
  }

  /** Runs `runner` (unless a run is under way); resolves with the result, or null if it failed or was cancelled. */
  async start(runner: StyleRunner, options: Omit<StyleRunOptions, 'signal'>): Promise<RGBAImage | null> {
    if (this.controller) return null;
    const controller = new AbortController();
    this.controller = controller;
    this.phase = 'loading';
    this.losses = null;
    this.history = [];
    this.result = null;
    this.setDownload(null);
    this.host.requestUpdate();
    const { iterations, size, contentWeight, styleWeight } = options;
    const t0 = performance.now();
    let last: RGBAImage | null = null;
    emit(this.host, 'wv-style-start', { size, iterations, contentWeight, styleWeight });
    try {
      for await (const step of runner({ ...options, signal: controller.signal })) {
        if (controller.signal.aborted) break;
        this.phase = 'running';
        this.losses = { iteration: step.iteration, iterations, J: step.J, Jcontent: step.Jcontent, Jstyle: step.Jstyle };
        this.history = [...this.history, { J: step.J, Jcontent: step.Jcontent, Jstyle: step.Jstyle }];
        this.seconds = (performance.now() - t0) / 1000;
        if (step.image) {
          last = step.image;
          this.host.showPreview(step.image);
        }
        this.host.requestUpdate();
        emit(this.host, 'wv-style-progress', { ...this.losses, ...(step.image ? { image: step.image } : {}) });
      }
      if (controller.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      if (!last) throw new Error('the optimisation ended without an image');
      const png = await this.keep(last);
      this.seconds = (performance.now() - t0) / 1000;
      this.settle('done');
      emit(this.host, 'wv-style-done', { ...this.losses!, image: last, png, seconds: this.seconds });
      return last;
    } catch (e) {
      if (controller.signal.aborted) {
        if (last) await this.keep(last);
        this.settle('cancelled');
        this.host.runFailed(new DOMException(`Cancelled after ${this.losses?.iteration ?? 0} of ${iterations} iterations.`, 'AbortError'));
      } else {
        this.settle('idle');
        this.host.runFailed(e);
      }
      return null;
    } finally {
      if (this.controller === controller) this.settle(this.phase);
    }
  }

  /** The run is over: listeners of its last event see a settled element (Start enabled again). */
  private settle(phase: RunPhase): void {
    this.controller = null;
    this.phase = phase;
    this.host.requestUpdate();
  }

  /** Keeps an image as the result: the preview, and a PNG for the Download link. */
  private async keep(image: RGBAImage): Promise<Blob> {
    this.result = image;
    this.host.showPreview(image);
    const png = await toPNG(image);
    this.setDownload(URL.createObjectURL(png));
    return png;
  }

  private setDownload(url: string | null): void {
    if (this.downloadURL) URL.revokeObjectURL(this.downloadURL);
    this.downloadURL = url;
  }
}
