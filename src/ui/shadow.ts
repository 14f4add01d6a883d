import { css } from './styles';

let sheet: CSSStyleSheet | undefined;

/**
 * Gives `host` an open shadow root with the widget's stylesheet adopted (a
 * constructable stylesheet: allowed under a strict CSP). One sheet object is
 * shared by every widget on the page.
 */
export function attachStyledShadow(host: HTMLElement): ShadowRoot {
  // No registry of its own: with the document's global one (the default where scoped registries
  // ship), rendering throws once the element is moved into another document (an iframe, a
  // Picture-in-Picture window), since new nodes are created with the shadow root's registry.
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open', customElementRegistry: null } as ShadowRootInit);
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [sheet];
  return root;
}
