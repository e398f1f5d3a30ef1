/** DOM helpers shared by the widget and the portal page. */

export type Attrs = Record<string, string | boolean | undefined>;

/** Creates an element: attributes (`false`/`undefined`: left out, `true`: empty) and children (text is never parsed as HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
  el.append(...children);
  return el;
}

/** Codes become parts of ids and test ids; keep them to safe characters. */
export const idPart = (code: string) => code.replace(/[^A-Za-z0-9_-]/g, '_');
