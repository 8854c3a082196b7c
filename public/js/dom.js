// Small DOM helpers for the pages. Text from users only ever goes in through textContent (the `text` prop).

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Builds an element: `h('a', { className: 'x', text: name, attrs: { href } }, child, ...)`.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, text?: string, attrs?: Record<string, string>, dataset?: Record<string, string> }} [props]
 * @param {...(Node | string | null | undefined | false)} children  strings become text nodes
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  Object.assign(node.dataset, props.dataset ?? {});
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An inline icon from path data (stroke style, as in site.css).
 * @param {string} d
 * @param {string} [className]
 * @returns {SVGSVGElement}
 */
export function icon(d, className = '') {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  if (className) svg.setAttribute('class', className);
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('class', 'stroke');
  svg.append(path);
  return svg;
}

export const ICONS = {
  external: 'M14 5h5v5M19 5l-8 8M17 14v4a1 1 0 01-1 1H6a1 1 0 01-1-1V8a1 1 0 011-1h4',
  bag: 'M5 8h14l-1.2 11.1a1 1 0 01-1 .9H7.2a1 1 0 01-1-.9z M9 8V6.5a3 3 0 016 0V8',
  trash: 'M5 7h14M10 7V5h4v2M7 7l1 12h8l1-12',
  mute: 'M12 4a8 8 0 100 16 8 8 0 000-16zM6.5 6.5l11 11',
  pin: 'M9 4h6l-1 5 3 3H7l3-3zM12 12v8',
  copy: 'M9 9h10v10H9zM5 15V5h10',
  eye: 'M2.5 12s3.5-6.5 9.5-6.5S21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12zM12 9.5a2.5 2.5 0 110 5 2.5 2.5 0 010-5z',
  check: 'M5 12.5l4.5 4.5L19 7.5',
  people: 'M9 11a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6M16 4.5a3.5 3.5 0 010 6.5M18 14.2c2.1.7 3.5 2.8 3.5 5.8',
};

/** "3 watching" @param {number} n */
export function viewersText(n) {
  return `${n.toLocaleString()} watching`;
}
