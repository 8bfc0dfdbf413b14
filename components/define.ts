/**
 * Defines the components' tags so that loading the bundle twice — two copies on one page, or a
 * second version — does not throw from `customElements.define`: a tag is defined only while it is
 * free, and a copy that finds it taken says in the console which copy defined it (that one is used).
 */
declare const WGSL_VISION_VERSION: string;

/** The version this copy was built as ('dev' outside the package build). */
export const VERSION: string = typeof WGSL_VISION_VERSION === 'string' ? WGSL_VISION_VERSION : 'dev';

/** Which copy defined a tag: kept on the element class. */
export interface ElementOrigin {
  version: string;
  /** The module the copy was loaded from. */
  source: string;
}

const ORIGIN = Symbol.for('wgsl-vision.origin');

/** The copy that defined `tag`, if one of ours did. */
export function originOf(tag: string): ElementOrigin | undefined {
  return (customElements.get(tag) as (CustomElementConstructor & { [ORIGIN]?: ElementOrigin }) | undefined)?.[ORIGIN];
}

/**
 * Defines `tag` as `element` if no other script has; returns whether this copy's class is the one
 * in use. When the tag is taken, logs a warning naming the copy that won and this one.
 */
export function defineElement(tag: string, element: CustomElementConstructor, source: string = import.meta.url): boolean {
  const existing = customElements.get(tag);
  if (existing === element) return true;
  const mine: ElementOrigin = { version: VERSION, source };
  if (existing) {
    const won = originOf(tag);
    console.warn(`wgsl-vision: <${tag}> is already defined by ${won ? `wgsl-vision ${won.version} (${won.source})` : 'another script'}; `
      + `that copy is used, and this one (wgsl-vision ${mine.version}, ${mine.source}) is not.`);
    return false;
  }
  Object.defineProperty(element, ORIGIN, { value: mine });
  customElements.define(tag, element);
  return true;
}
