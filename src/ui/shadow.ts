import { css } from './styles';

let sheet: CSSStyleSheet | undefined;

/**
 * Gives `host` an open shadow root with the widget's stylesheet adopted (a
 * constructable stylesheet: allowed under a strict CSP). One sheet object is
 * shared by every widget on the page.
 */
export function attachStyledShadow(host: HTMLElement): ShadowRoot {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [sheet];
  return root;
}
