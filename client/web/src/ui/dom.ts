/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The web app's tiny DOM toolkit: `h()` builds elements from a tag, attributes and children, so
 * components are plain functions returning nodes. Text is always set as text (never as HTML), so
 * nothing the API or a user sends can inject markup.
 */

export type Child = Node | string | number | null | undefined | false | Child[];

export type Attrs = {
  class?: string;
  testid?: string;
  title?: string;
  [key: string]: unknown;
};

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') element.className = String(value);
    else if (key === 'testid') element.setAttribute('data-testid', String(value));
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value as EventListener);
    else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'selected')
      (element as unknown as Record<string, unknown>)[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  // A scroll box is reachable by keyboard so its rows can be scrolled without a mouse (WCAG 2.1.1).
  if (/(^|\s)h?scroll(\s|$)/.test(String(attrs.class ?? '')) && !element.hasAttribute('tabindex')) element.tabIndex = 0;
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent` with `children`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** A panel: a header with a title and tools, and a body. */
export function panel(
  title: Child,
  body: Child,
  options: { tools?: Child; testid?: string; flush?: boolean; class?: string } = {},
): HTMLElement {
  return h(
    'section',
    { class: `panel ${options.class ?? ''}`.trim(), testid: options.testid },
    h('header', {}, h('h2', {}, title), options.tools ? h('div', { class: 'tools' }, options.tools) : null),
    h('div', { class: options.flush ? 'flush' : 'body' }, body),
  );
}

let nextFieldId = 0;

/** The id of a form control, given one if it has none (labels point at controls by id). */
export function controlId(control: HTMLElement): string {
  if (!control.id) control.id = `f${++nextFieldId}`;
  return control.id;
}

/**
 * A labelled form field around an input; `error` is an element the caller fills with the message.
 * The label is tied to the control (`for`), so screen readers and `getByLabel` find it; `input` may
 * be a wrapper, and then the first control inside it is the one named.
 */
export function field(label: string, input: HTMLElement, error?: HTMLElement): HTMLElement {
  const control = input.matches('input, select, textarea') ? input : input.querySelector<HTMLElement>('input, select, textarea');
  if (error && control) control.setAttribute('aria-describedby', controlId(error));
  return h('div', {}, h('label', control ? { for: controlId(control) } : {}, label), input, error ?? null);
}

/** Lifetime of a mounted view: cleanups run when the view is left. */
export class Scope {
  private readonly cleanups: (() => void)[] = [];

  add(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  interval(fn: () => void, ms: number): void {
    const timer = setInterval(fn, ms);
    this.add(() => clearInterval(timer));
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch {
        // A failing cleanup must not keep the others from running.
      }
    }
  }
}
