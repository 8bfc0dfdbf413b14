/**
 * Files for an element's inputs, picked (an `<input type="file">`) or dropped on a zone: one
 * controller per element, keyed by the input (a photo side, a picker).
 */
import { noChange, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

export class FileDrop<K extends string> implements ReactiveController {
  /** The zone a file is being dragged over (the element highlights it). */
  over: K | null = null;
  private readonly pickers = new Map<K, (e: Event) => void>();

  /** `take` receives the first file picked or dropped for an input. */
  constructor(private readonly host: ReactiveControllerHost, private readonly take: (key: K, file: File) => unknown) {
    host.addController(this);
  }

  hostDisconnected(): void {
    this.over = null;
  }

  /** The `@change` listener of `key`'s file input: takes its file and clears it, so that picking the same file again is a change. */
  picked(key: K): (e: Event) => void {
    let listener = this.pickers.get(key);
    if (!listener) {
      listener = (e: Event) => {
        const input = e.target as HTMLInputElement;
        const file = input.files?.[0];
        input.value = '';
        if (file) void this.take(key, file);
      };
      this.pickers.set(key, listener);
    }
    return listener;
  }

  /** Drag-and-drop events on `key`'s zone. */
  dragged(key: K, e: DragEvent): void {
    e.preventDefault();
    const over = e.type === 'dragover' ? key : null;
    if (this.over !== over) {
      this.over = over;
      this.host.requestUpdate();
    }
    const file = e.type === 'drop' ? e.dataTransfer?.files?.[0] : undefined;
    if (file) void this.take(key, file);
  }
}

/** What a zone reports its drag events to (a FileDrop). */
interface DragTarget {
  dragged(key: string, e: DragEvent): void;
}

class DropZone extends Directive {
  private drop?: DragTarget;
  private key = '';

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('dropZone() binds to an element: <div ${dropZone(drop, key)}>');
  }

  render(_drop: DragTarget, _key: string): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [drop, key]: [DragTarget, string]): typeof noChange {
    if (!this.drop) {
      const listener = (e: Event) => this.drop!.dragged(this.key, e as DragEvent);
      for (const type of ['dragover', 'dragleave', 'drop']) part.element.addEventListener(type, listener);
    }
    this.drop = drop;
    this.key = key;
    return noChange;
  }
}

/** `<div ${dropZone(this.drop, side)}>`: files dropped on the element go to `drop` for `key`. */
export const dropZone = directive(DropZone);
