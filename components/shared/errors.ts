/**
 * One classification of failures for both elements: by the error's class (the library's typed
 * errors, and the elements' own ElementError), never by the wording of its message.
 */
import { ImageTooLargeError, ShapeError, UnsupportedModelError, WebGPUUnavailableError, WeightsError } from '../../src/index.js';
import type { WvErrorKind } from './events.js';

/** A failure an element itself recognises, with its kind: a camera refused, an example that does not load, no face. */
export class ElementError extends Error {
  override name = 'ElementError';
  constructor(readonly kind: WvErrorKind, message: string) {
    super(message);
  }
}

/** What the element was doing: reading a model, reading an image it was given, or anything else. */
export type Activity = 'loading models' | 'reading an image' | 'working';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The library's error classes and what each means to a visitor, most specific first (an
 * ImageTooLargeError is also a ShapeError). Each is matched by class or by its `name`, so that an
 * error from another copy of the library (a recognizer the page built with its own bundle) is
 * still known.
 */
const KINDS: readonly [ErrorClass, string, WvErrorKind][] = [
  [WebGPUUnavailableError, 'WebGPUUnavailableError', 'no-webgpu'],
  [WeightsError, 'WeightsError', 'model-load'],
  [UnsupportedModelError, 'UnsupportedModelError', 'model-load'],
  [ImageTooLargeError, 'ImageTooLargeError', 'bad-image'],
];

const is = (error: unknown, type: ErrorClass, name: string): boolean => error instanceof type || (error instanceof Error && error.name === name);

/**
 * The kind of `error`. A ShapeError while reading an image is the library refusing that image;
 * elsewhere it is not the visitor's doing, and is 'other'. An AbortError is 'aborted'. What no
 * class names is a model that did not load while loading models, and 'other' otherwise.
 */
export function errorKind(error: unknown, activity: Activity = 'working'): WvErrorKind {
  if (error instanceof ElementError) return error.kind;
  for (const [type, name, kind] of KINDS) if (is(error, type, name)) return kind;
  if (activity === 'reading an image' && is(error, ShapeError, 'ShapeError')) return 'bad-image';
  if (error instanceof DOMException && error.name === 'AbortError') return 'aborted';
  return activity === 'loading models' ? 'model-load' : 'other';
}

/** The message of anything thrown. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
