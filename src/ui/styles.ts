/**
 * The widget's stylesheet, adopted into its shadow root as a constructable
 * stylesheet (allowed under a strict CSP, unlike `<style>` or `style=""`).
 * State is styled through `data-*` attributes; class names are not API.
 * Logical properties only (`inset-inline-end`, `margin-block-start`), so RTL pages mirror the stack.
 * Internal custom properties are short (`--a` accent, `--m` muted text, `--c` level colour, `--y` slide).
 */
export const css =
  ':host{--bg:var(--sse-notify-bg,#fff);--fg:var(--sse-notify-fg,#18181b);--a:var(--sse-notify-accent,#2563eb);--sh:0 1px 3px #0000001a,0 8px 24px #00000024;--y:-8px;display:contents;font:14px/1.45 var(--sse-notify-font,system-ui,sans-serif)}' +
  ':host([theme=dark]){--bg:var(--sse-notify-bg,#232327);--fg:var(--sse-notify-fg,#f4f4f5);--a:var(--sse-notify-accent,#60a5fa);--sh:0 1px 3px #0006,0 8px 24px #0008}' +
  '@media(prefers-color-scheme:dark){:host(:not([theme=light])){--bg:var(--sse-notify-bg,#232327);--fg:var(--sse-notify-fg,#f4f4f5);--a:var(--sse-notify-accent,#60a5fa);--sh:0 1px 3px #0006,0 8px 24px #0008}}' +
  'section{--m:color-mix(in srgb,var(--fg) 72%,var(--bg));position:fixed;z-index:2147483000;inset-block-start:16px;inset-inline-end:16px;display:flex;flex-direction:column;gap:8px;width:min(360px,100vw - 32px);pointer-events:none}' +
  '[data-position^=bottom]{--y:8px;inset-block:auto 16px;flex-direction:column-reverse}' +
  '[data-position$=left]{inset-inline:16px auto}' +
  '[data-position$=center]{inset-inline:0;margin:auto}' +
  'section>*{pointer-events:auto;box-shadow:var(--sh);background:var(--bg);color:var(--fg)}' +
  '[part=toast]{display:flex;gap:10px;padding:12px 14px;border:1px solid #8882;border-radius:var(--sse-notify-radius,10px);overflow-wrap:anywhere;--c:var(--sse-notify-info,var(--a))}' +
  '@media(prefers-reduced-motion:no-preference){[part=toast]{animation:in .2s;transition:opacity .2s,translate .2s}}' +
  '[data-state=leaving]{opacity:0;translate:0 var(--y)}' +
  '@keyframes in{from{opacity:0;translate:0 var(--y)}}' +
  '[data-level=success]{--c:var(--sse-notify-success,#16a34a)}' +
  '[data-level=warning]{--c:var(--sse-notify-warning,#d97706)}' +
  '[data-level=error]{--c:var(--sse-notify-error,#dc2626)}' +
  'i,img{flex:none;margin-block:1px}' +
  'i{display:grid;place-items:center;width:20px;height:20px;border-radius:50%;background:var(--c);color:#fff;font:700 12px/1 system-ui}' +
  'img{width:32px;height:32px;border-radius:6px;object-fit:cover}' +
  '[part=toast]>div{flex:1;min-width:0}' +
  '[data-id=sse-notify-more]>i{display:none}' +
  '[data-id=sse-notify-more]>div{display:flex;align-items:center;justify-content:space-between}' +
  '[data-id=sse-notify-more] [part=action]{margin:0}' +
  '[part=title]{display:block;font-weight:600}' +
  '[part=body]{color:var(--m);white-space:pre-line}' +
  '[part=progress]{display:block;width:100%;height:6px;margin-block-start:8px;accent-color:var(--c)}' +
  'button{padding:0;border:0;background:none;font:inherit;cursor:pointer}' +
  '[part=action]{margin-block-start:6px;margin-inline-end:12px;color:var(--a);font-weight:600;text-decoration:none}' +
  '[part=action]:hover{text-decoration:underline}' +
  '[part=close]{flex:none;width:26px;height:26px;margin-block-start:-2px;margin-inline-end:-4px;border-radius:6px;color:var(--m);font:20px/1 system-ui}' +
  '[part=close]:hover{background:color-mix(in srgb,var(--fg) 10%,transparent);color:var(--fg)}' +
  'section>p,section>button{align-self:center;margin:0;padding:4px 12px;border-radius:99px;color:var(--m);font-size:12px}' +
  'section>button{align-self:end;padding:6px 14px;background:var(--a);color:var(--bg);font-size:13px;font-weight:600}' +
  '[aria-live]{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}';
