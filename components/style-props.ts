/**
 * `<div ${styleProps({ width: '40%' })}>`: inline geometry through the CSSOM (`style.setProperty`)
 * on every render, the first included. A strict Content-Security-Policy (`style-src 'self'`)
 * refuses style attributes, and Lit's styleMap writes one on its first render (it commits the
 * style as an attribute string before it switches to the CSSOM), so under such a policy the
 * first render of a styleMap binding would be lost.
 */
import { noChange } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

class StyleProps extends Directive {
  private names = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('styleProps() binds to an element: <div ${styleProps({...})}>');
  }

  render(_props: Readonly<Record<string, string>>): typeof noChange {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Readonly<Record<string, string>>]): typeof noChange {
    const { style } = part.element as HTMLElement;
    for (const name of this.names) if (!(name in props)) style.removeProperty(name);
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    this.names = new Set(Object.keys(props));
    return noChange;
  }
}

export const styleProps = directive(StyleProps);
