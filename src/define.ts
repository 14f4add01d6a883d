import type { HTMLAttributes } from 'preact';
import { createElementClass, type SSENotifyElement, type SSENotifyEventMap } from './element/sse-notify-element';
import type { SSENotifyAttributes } from './element/jsx';

/**
 * Registers `<sse-notify>` (or `tagName`). Safe to call twice, and safe when
 * another copy of the widget already defined the tag: the first one wins.
 * Returns the registered class, or `undefined` outside a browser.
 */
export function define(tagName = 'sse-notify'): CustomElementConstructor | undefined {
  const registry = globalThis.customElements;
  if (!registry) return undefined;
  const existing = registry.get(tagName);
  if (existing) return existing;
  const Element = createElementClass();
  registry.define(tagName, Element);
  return Element;
}

declare global {
  interface HTMLElementTagNameMap {
    'sse-notify': SSENotifyElement;
  }
  interface HTMLElementEventMap extends SSENotifyEventMap {}
}

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'sse-notify': Omit<HTMLAttributes<SSENotifyElement>, keyof SSENotifyAttributes> & SSENotifyAttributes;
    }
  }
}
