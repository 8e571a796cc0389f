// A panel section: a card with a heading that collapses it. Which sections are collapsed is UI
// state (state.ts), so it survives tab switches.
import { button, h } from './dom';
import { isCollapsed, setCollapsed } from './state';

type Child = Node | string | null | undefined | false;

export function card(id: string, title: string, body: (Child | Child[])[], extras: Child[] = []): HTMLElement {
  const collapsed = isCollapsed(id);
  const content = h('div', { class: 'card-body' }, ...body);
  content.hidden = collapsed;
  const toggle = button(h('span', { class: 'twisty' }, collapsed ? '▸' : '▾'), () => undefined, { class: 'link card-toggle', 'aria-expanded': String(!collapsed), 'aria-controls': `${id}-body`, 'aria-label': `${collapsed ? 'Expand' : 'Collapse'} ${title}` });
  content.id = `${id}-body`;
  const section = h('section', { class: `card${collapsed ? ' collapsed' : ''}`, id }, h('div', { class: 'card-head' }, toggle, h('h2', null, title), h('div', { class: 'card-extras' }, ...extras)), content);
  toggle.addEventListener('click', () => expand(section, content.hidden));
  return section;
}

/** Opens or closes a section (an evidence link opens the one it points into). */
export function expand(section: HTMLElement, open: boolean): void {
  const content = section.querySelector<HTMLElement>(':scope > .card-body');
  const toggle = section.querySelector<HTMLElement>(':scope > .card-head .card-toggle');
  if (!content || !toggle) return;
  content.hidden = !open;
  section.classList.toggle('collapsed', !open);
  toggle.setAttribute('aria-expanded', String(open));
  const twisty = toggle.querySelector('.twisty');
  if (twisty) twisty.textContent = open ? '▾' : '▸';
  setCollapsed(section.id, !open);
  section.dispatchEvent(new CustomEvent('section-toggle', { detail: { open } }));
}
