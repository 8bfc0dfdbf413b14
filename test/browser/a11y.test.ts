// The accessibility check the component tests use finds what it is for.
import { assert, assertEqual } from '../util/assert.js';
import { assertAccessible } from './a11y.js';

function host(markup: string): HTMLElement {
  const el = document.createElement('div');
  el.attachShadow({ mode: 'open' }).innerHTML = markup;
  return el;
}

function problems(markup: string, liveRegions = 1): string {
  try {
    assertAccessible(host(markup), 'sample', { liveRegions });
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('assertAccessible', () => {
  it('passes named controls, real roles, a radio group with one tab stop and a live region', () => {
    assertEqual(problems(`<p role="status"></p><button>Go</button><label>Name <input></label><input aria-label="Photos" type="file">
      <div role="radiogroup" aria-label="Faces"><button role="radio" aria-checked="true" aria-label="Face 1"></button>
      <button role="radio" aria-checked="false" tabindex="-1" aria-label="Face 2"></button></div><canvas role="img" aria-label="A photo"></canvas>`), '');
  });

  it('names each problem', () => {
    assert(/<button> has no accessible name/.test(problems('<p role="status"></p><button></button>')), 'an unnamed button');
    assert(/<input> has no accessible name/.test(problems('<p role="status"></p><input type="file">')), 'an unlabelled input');
    assert(/'knob' is not an ARIA role/.test(problems('<p role="status"></p><div role="knob"></div>')), 'a made-up role');
    assert(/aria-labelledby names 'gone'/.test(problems('<p role="status"></p><div aria-labelledby="gone"></div>')), 'a dangling reference');
    assert(/outside a radiogroup/.test(problems('<p role="status"></p><button role="radio" aria-checked="true" aria-label="A"></button>')), 'a lone radio');
    assert(/has 2 tab stops/.test(problems(`<p role="status"></p><div role="radiogroup" aria-label="G"><button role="radio" aria-checked="true" aria-label="A"></button>
      <button role="radio" aria-checked="false" aria-label="B"></button></div>`)), 'two tab stops in a radio group');
    assert(/image without a name/.test(problems('<p role="status"></p><canvas role="img"></canvas>')), 'an unnamed image');
    assert(/0 live region\(s\), expected at least 1/.test(problems('<button>Go</button>')), 'no live region');
  });
});
