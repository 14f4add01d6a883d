// The few DOM helpers the toaster needs in place of a virtual DOM: create a
// node, write an attribute or a text only when it changes, and put children
// in order moving as few as possible. Text is always a text node, never HTML.

type Child = Node | string;

/** Creates `tag` in `doc` with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, attrs?: Record<string, string | number>, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  for (const name in attrs) node.setAttribute(name, '' + attrs[name]);
  node.append(...children);
  return node;
}

/**
 * Sets an attribute, or removes it for `undefined`/`null`/`false`/`''`. No
 * write when nothing changes: a rewritten live region may be read out again.
 */
export function attr(node: Element, name: string, value?: string | number | null | false): void {
  if (value == null || value === false || value === '') node.removeAttribute(name);
  else if (node.getAttribute(name) !== '' + value) node.setAttribute(name, '' + value);
}

/** Sets a node's text when it differs. */
export function text(node: Node, value: string): void {
  if (node.textContent !== value) node.textContent = value;
}

/**
 * Makes the truthy `nodes` the children of `parent`, in order. Children that
 * stay are never moved when the order holds (a moved node loses focus), and
 * the others are removed first.
 */
export function place(parent: Node, nodes: (Node | false | undefined | null | 0 | '')[]): void {
  const want = nodes.filter(Boolean) as Node[];
  for (const child of [...parent.childNodes]) if (!want.includes(child)) child.remove();
  want.forEach((node, i) => parent.childNodes[i] !== node && parent.insertBefore(node, parent.childNodes[i] || null));
}
