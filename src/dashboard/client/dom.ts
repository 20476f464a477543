type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * Builds an element: `on*` attributes become listeners (the CSP forbids inline handlers), `false`/`null` attributes
 * are left out, strings become text nodes (never HTML, so API data cannot inject markup).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (typeof value === 'boolean') (el as unknown as Record<string, unknown>)[name] = value;
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Array<Child | Child[]>): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function replace(parent: Element, ...children: Array<Child | Child[]>): void {
  parent.replaceChildren();
  append(parent, children);
}

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el;
}

export function showError(err: unknown): void {
  const box = $('error');
  box.textContent = err instanceof Error ? err.message : String(err);
  box.hidden = false;
}

export function clearError(): void {
  const box = $('error');
  box.textContent = '';
  box.hidden = true;
}

export const fmtPercent = (x: number) => `${(x * 100).toFixed(x >= 0.1 || x === 0 ? 0 : 1)}%`;
export const fmtNumber = (x: number) => new Intl.NumberFormat('en').format(x);
export const fmtTime = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC' : '—');

/** Colours for segments, distinguishable on white and in the graph. */
export const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
  '#8c6d31',
  '#843c39',
  '#7b4173',
  '#3182bd',
  '#e6550d',
  '#31a354',
  '#756bb1',
  '#636363',
];
export const colourOf = (index: number) => PALETTE[index % PALETTE.length]!;
