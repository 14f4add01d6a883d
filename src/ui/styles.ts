/**
 * The widget's stylesheet, adopted into its shadow root as a constructable
 * stylesheet (allowed under a strict CSP, unlike `<style>` or `style=""`).
 * State is styled through `data-*` attributes; class names are not API.
 */
export const css = `
:host{--bg:var(--sse-notify-bg,#fff);--fg:var(--sse-notify-fg,#1c1c1e);--muted:color-mix(in srgb,var(--fg) 65%,transparent);--accent:var(--sse-notify-accent,#2563eb);--radius:var(--sse-notify-radius,10px);--info:var(--sse-notify-info,var(--accent));--success:var(--sse-notify-success,#16a34a);--warning:var(--sse-notify-warning,#d97706);--error:var(--sse-notify-error,#dc2626);--shadow:0 6px 24px rgb(0 0 0/.14),0 1px 3px rgb(0 0 0/.1);display:contents;font:14px/1.4 var(--sse-notify-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif)}
:host([theme=dark]){--bg:var(--sse-notify-bg,#1f1f23);--fg:var(--sse-notify-fg,#f4f4f5);--shadow:0 6px 24px rgb(0 0 0/.5)}
@media (prefers-color-scheme:dark){:host(:not([theme=light])){--bg:var(--sse-notify-bg,#1f1f23);--fg:var(--sse-notify-fg,#f4f4f5);--shadow:0 6px 24px rgb(0 0 0/.5)}}
[part=stack]{position:fixed;z-index:2147483000;display:flex;flex-direction:column;gap:8px;width:min(360px,calc(100vw - 32px));margin:0;padding:0;pointer-events:none;inset-block-start:16px;inset-inline-end:16px}
[data-position^=bottom]{inset-block:auto 16px;flex-direction:column-reverse}
[data-position$=left]{inset-inline:16px auto}
[data-position$=center]{inset-inline:0;margin-inline:auto}
[part~=toast],.line,.enable{pointer-events:auto}
[part~=toast]{position:relative;display:flex;gap:10px;align-items:flex-start;box-sizing:border-box;padding:12px 36px 12px 12px;padding-inline:12px 36px;background:var(--bg);color:var(--fg);border-radius:var(--radius);box-shadow:var(--shadow);border-inline-start:4px solid var(--lv,var(--info));transition:opacity .2s,transform .2s;outline-offset:2px;overflow-wrap:anywhere}
[part~=toast]:focus-visible{outline:2px solid var(--accent)}
[data-level=success]{--lv:var(--success)}[data-level=warning]{--lv:var(--warning)}[data-level=error]{--lv:var(--error)}
[data-state=entering],[data-state=leaving]{opacity:0;transform:translateY(-8px)}
[data-position^=bottom] [data-state=entering],[data-position^=bottom] [data-state=leaving]{transform:translateY(8px)}
@media (prefers-reduced-motion:reduce){[part~=toast]{transition:none;transform:none!important}}
.glyph{flex:none;display:grid;place-items:center;width:20px;height:20px;border-radius:50%;background:var(--lv,var(--info));color:#fff;font-size:12px;font-weight:700;line-height:1}
.img{flex:none;width:32px;height:32px;border-radius:6px;object-fit:cover}
.text{flex:1;min-width:0}
[part=title]{display:block;font-weight:600;margin-block-end:2px}
[part=body]{display:block;color:var(--muted);white-space:pre-line}
[part=progress]{display:block;width:100%;height:6px;margin-block-start:8px;accent-color:var(--lv,var(--info))}
[part~=action],.more button{display:inline-block;margin-block-start:6px;margin-inline-end:8px;padding:0;border:0;background:none;color:var(--accent);font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
[part~=action]:hover,.more button:hover{text-decoration:underline}
[part=close]{position:absolute;inset-block-start:6px;inset-inline-end:6px;width:28px;height:28px;border:0;border-radius:6px;background:none;color:var(--muted);font:inherit;font-size:18px;line-height:1;cursor:pointer}
[part=close]:hover,[part=close]:focus-visible{background:color-mix(in srgb,var(--fg) 10%,transparent);color:var(--fg)}
.line{align-self:center;padding:4px 12px;border-radius:999px;background:var(--bg);color:var(--muted);box-shadow:var(--shadow);font-size:12px}
.enable{align-self:flex-end;padding:6px 12px;border:0;border-radius:999px;background:var(--accent);color:#fff;font:inherit;font-size:13px;cursor:pointer;box-shadow:var(--shadow)}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
`;
