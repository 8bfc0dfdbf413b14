/**
 * An accessibility check of a component's shadow root, for every component test: each control a
 * visitor can reach has an accessible name, every role is an ARIA role, the references of
 * aria-labelledby / aria-describedby / aria-controls exist, radios sit in a radio group with their
 * state, and the element has live regions.
 */
import { assert } from '../util/assert.js';

/** The ARIA 1.2 roles (abstract roles excluded: they are not for authors). */
const ROLES = new Set(('alert alertdialog application article banner blockquote button caption cell checkbox code columnheader combobox '
  + 'complementary contentinfo definition deletion dialog document emphasis feed figure form generic grid gridcell group heading img '
  + 'insertion link list listbox listitem log main marquee math meter menu menubar menuitem menuitemcheckbox menuitemradio navigation '
  + 'none note option paragraph presentation progressbar radio radiogroup region row rowgroup rowheader scrollbar search searchbox '
  + 'separator slider spinbutton status strong subscript superscript switch tab table tablist tabpanel term textbox time timer '
  + 'toolbar tooltip tree treegrid treeitem').split(' '));

const CONTROLS = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"]), [role=button], [role=radio], [role=checkbox], [role=link], [role=tab], [role=slider]';

const text = (el: Element | null | undefined): string => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** The accessible name of `el` as far as this check needs it: aria-labelledby, aria-label, a label, alt text, its text, its title. */
export function accessibleName(el: Element, root: ShadowRoot | Document): string {
  const byId = el.getAttribute('aria-labelledby');
  if (byId) return byId.split(/\s+/).map((id) => text(root.getElementById(id))).join(' ').trim();
  const label = el.getAttribute('aria-label')?.trim();
  if (label) return label;
  if (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
    const labels = [...(el.labels ?? [])].map(text).join(' ').trim();
    if (labels) return labels;
    if (el instanceof HTMLInputElement && el.placeholder) return el.placeholder;
  }
  const own = [text(el), ...[...el.querySelectorAll('img[alt]')].map((img) => img.getAttribute('alt') ?? '')].join(' ').trim();
  return own || (el.getAttribute('title') ?? '').trim();
}

const hidden = (el: Element): boolean => el.closest('[aria-hidden=true], [hidden]') !== null;

export interface A11yExpectations {
  /** How many live regions (role status / alert / log, or aria-live) the element has at least (default 1). */
  liveRegions?: number;
}

/** Asserts the checks above on `host`'s shadow root; `what` names the state in the messages. */
export function assertAccessible(host: Element, what: string, expect: A11yExpectations = {}): void {
  const root = host.shadowRoot;
  assert(root, `${what}: <${host.localName}> has a shadow root`);
  const problems: string[] = [];
  const describe = (el: Element) => `<${el.localName}${el.getAttribute('part') ? ` part="${el.getAttribute('part')}"` : ''}${el.getAttribute('role') ? ` role="${el.getAttribute('role')}"` : ''}>`;
  for (const el of root.querySelectorAll(CONTROLS)) {
    if (hidden(el)) continue;
    if (!accessibleName(el, root)) problems.push(`${describe(el)} has no accessible name`);
  }
  for (const img of root.querySelectorAll('[role=img], img:not([alt=""])')) {
    if (!hidden(img) && !accessibleName(img, root) && !img.getAttribute('alt')) problems.push(`${describe(img)} is an image without a name`);
  }
  for (const el of root.querySelectorAll('[role]')) {
    for (const role of el.getAttribute('role')!.split(/\s+/)) if (!ROLES.has(role)) problems.push(`${describe(el)}: '${role}' is not an ARIA role`);
  }
  for (const attr of ['aria-labelledby', 'aria-describedby', 'aria-controls']) {
    for (const el of root.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr)!.split(/\s+/)) if (!root.getElementById(id)) problems.push(`${describe(el)}: ${attr} names '${id}', which is not there`);
    }
  }
  for (const radio of root.querySelectorAll('[role=radio]')) {
    if (!radio.closest('[role=radiogroup]')) problems.push(`${describe(radio)} is outside a radiogroup`);
    if (!['true', 'false'].includes(radio.getAttribute('aria-checked') ?? '')) problems.push(`${describe(radio)} has no aria-checked`);
  }
  for (const group of root.querySelectorAll('[role=radiogroup]')) {
    const stops = [...group.querySelectorAll('[role=radio]')].filter((r) => r.getAttribute('tabindex') !== '-1');
    if (stops.length !== 1) problems.push(`${describe(group)} has ${stops.length} tab stops (a radio group has one)`);
  }
  const live = root.querySelectorAll('[role=status], [role=alert], [role=log], [aria-live]').length;
  if (live < (expect.liveRegions ?? 1)) problems.push(`${live} live region(s), expected at least ${expect.liveRegions ?? 1}`);
  assert(problems.length === 0, `${what}: accessibility problems:\n  ${problems.join('\n  ')}`);
}
