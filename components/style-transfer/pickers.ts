/**
 * The content and style images of <wv-style-transfer>: read from a file, a drop, an example or
 * any browser image, each kept as RGBA pixels with an object URL of the picture its picker shows.
 */
import type { ReactiveControllerHost } from 'lit';
import { toRGBA, type BrowserImageInput, type RGBAImage } from '../../src/index.js';
import { ElementError, messageOf } from '../shared/errors.js';
import { emit } from '../shared/events.js';
import type { StyleRole } from './events.js';
import { toPNG } from './pixels.js';

/** A bundled example image offered as a thumbnail under its picker. */
export interface StyleExample {
  name: string;
  url: string;
  role: StyleRole;
}

export interface Picked {
  image: RGBAImage;
  /** Object URL of the picture shown in the picker. */
  url: string;
  name: string;
}

export interface PickersHost extends ReactiveControllerHost, EventTarget {
  /** An image that could not be read, for `role`'s picker. */
  imageFailed(role: StyleRole, error: unknown, name: string): void;
}

/** The two pickers' state; each change asks the element to render. */
export class Pickers {
  picked: Partial<Record<StyleRole, Picked>> = {};
  /** The message of a picker's last image that could not be read, until a good one replaces it. */
  bad: Partial<Record<StyleRole, string>> = {};
  loading: Partial<Record<StyleRole, boolean>> = {};
  /** The example each picker shows, by URL. */
  exampleChosen: Partial<Record<StyleRole, string>> = {};
  /** Bumped by each load of a picker: of overlapping loads, the last one asked for wins. */
  private tickets: Partial<Record<StyleRole, number>> = {};

  constructor(private readonly host: PickersHost) {}

  /** Sets `role`'s image from any browser image source. */
  set(role: StyleRole, input: BrowserImageInput, name = input instanceof File ? input.name : role): Promise<void> {
    return this.load(role, name, undefined, async () => input);
  }

  useExample(example: StyleExample): Promise<void> {
    return this.load(example.role, example.name, example.url, async () => {
      let res: Response;
      try {
        res = await fetch(example.url);
      } catch (e) {
        throw new ElementError('bad-image', `the example could not be loaded (${messageOf(e)})`);
      }
      if (!res.ok) throw new ElementError('bad-image', `the example could not be loaded (HTTP ${res.status})`);
      return res.blob();
    });
  }

  /** Picks the first example of each empty picker. */
  offer(examples: readonly StyleExample[]): void {
    for (const role of ['content', 'style'] as const) {
      const first = examples.find((e) => e.role === role);
      if (first && !this.picked[role] && !this.exampleChosen[role] && !this.loading[role]) void this.useExample(first);
    }
  }

  private async load(role: StyleRole, name: string, exampleURL: string | undefined, get: () => Promise<BrowserImageInput>): Promise<void> {
    const ticket = (this.tickets[role] = (this.tickets[role] ?? 0) + 1);
    const current = () => this.tickets[role] === ticket;
    this.update('loading', role, true);
    try {
      const input = await get();
      const image = await toRGBA(input);
      const blob = input instanceof Blob ? input : await toPNG(image);
      if (!current()) return;
      const old = this.picked[role];
      if (old) URL.revokeObjectURL(old.url);
      this.update('picked', role, { image, url: URL.createObjectURL(blob), name });
      this.update('bad', role, undefined);
      this.update('exampleChosen', role, exampleURL);
      emit(this.host, 'wv-style-input', { role, width: image.width, height: image.height, name });
    } catch (e) {
      if (!current()) return;
      this.update('bad', role, `${name}: ${messageOf(e)}`);
      this.host.imageFailed(role, e, name);
    } finally {
      if (current()) this.update('loading', role, false);
    }
  }

  /** A new record per change, so that the element's templates see it change. */
  private update<F extends 'picked' | 'bad' | 'loading' | 'exampleChosen'>(field: F, role: StyleRole, value: this[F][StyleRole]): void {
    (this as Record<F, unknown>)[field] = { ...this[field], [role]: value };
    this.host.requestUpdate();
  }
}
