/**
 * The demo page's two DOM helpers. Everything the page shows that comes from
 * data is built with `createElement` and `textContent`, never HTML strings.
 *
 * @module
 */

/** Creates `<tag>` with attributes (never `style`) and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** The one element matching `selector` under `root`, checked to be a `type`; throws naming the selector otherwise. */
export function $<T extends Element>(selector: string, type: { new (): T; prototype: T }, root: ParentNode = document): T {
  const node = root.querySelector(selector);
  if (!(node instanceof type)) throw new Error(`demo: expected ${type.name} at ${selector}`);
  return node;
}

/** Adds a listener and returns its removal, so every owner can release what it added. */
export function listen<K extends keyof HTMLElementEventMap>(
  target: EventTarget,
  type: K,
  listener: (event: HTMLElementEventMap[K]) => void,
): () => void {
  target.addEventListener(type, listener as EventListener);
  return () => target.removeEventListener(type, listener as EventListener);
}
