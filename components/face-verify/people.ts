/**
 * Who is enrolled, for <wv-face-verify>'s identity mode: the gallery's people, the identity a
 * photo is checked against, and that person's descriptors (read from the gallery when chosen).
 */
import type { ReactiveControllerHost } from 'lit';
import type { FaceRecognizerLike } from '../../src/index.js';

type Gallery = FaceRecognizerLike['gallery'];

export class People {
  list: { id: string; descriptors: number }[] = [];
  /** The identity a photo is checked against ('' with nobody enrolled). */
  identity = '';
  private enrolled: { id: string; descriptors: Float32Array[] } | null = null;

  constructor(private readonly host: ReactiveControllerHost, private readonly gallery: () => Gallery) {}

  has(id: string): boolean {
    return this.list.some((p) => p.id === id);
  }

  /** The identity's descriptors, once read (null before, and with nobody enrolled). */
  get descriptors(): Float32Array[] | null {
    return this.enrolled && this.enrolled.id === this.identity ? this.enrolled.descriptors : null;
  }

  /**
   * Reads who is enrolled; keeps the identity while it is still enrolled (`prefer` instead, when
   * given), else takes the first person, and reads their descriptors.
   */
  async refresh(prefer?: string): Promise<void> {
    this.list = await this.gallery().list();
    if (prefer !== undefined) this.identity = prefer;
    if (!this.has(this.identity)) this.identity = this.list[0]?.id ?? '';
    await this.read();
  }

  /** Checks photos against `id` from now on. */
  async choose(id: string): Promise<void> {
    this.identity = id;
    await this.read();
  }

  private async read(): Promise<void> {
    const id = this.identity;
    this.host.requestUpdate();
    const descriptors = id && this.has(id) ? await this.gallery().descriptorsOf(id) : null;
    // Of overlapping reads, the one for the identity chosen last counts.
    if (this.identity === id) this.enrolled = descriptors ? { id, descriptors } : null;
    this.host.requestUpdate();
  }
}
