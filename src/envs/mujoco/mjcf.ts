/**
 * A small MJCF writer: the built-in robots are parameter tables in TypeScript, turned into
 * MuJoCo's XML here. Numbers are written as JavaScript prints them (the shortest text that
 * reads back to the same double, -0 kept), so MuJoCo compiles exactly the values in the
 * tables.
 */
export type MjcfValue = string | number | boolean | readonly number[];

export interface MjcfElement {
  tag: string;
  /** Attributes in order; an undefined one is left out. */
  attrs: Record<string, MjcfValue | undefined>;
  children: MjcfElement[];
}

export function el(tag: string, attrs: Record<string, MjcfValue | undefined> = {}, children: MjcfElement[] = []): MjcfElement {
  return { tag, attrs, children };
}

function number(x: number, where: string): string {
  if (!Number.isFinite(x)) throw new RangeError(`MJCF ${where} must be finite, got ${x}`);
  return Object.is(x, -0) ? '-0' : String(x);
}

function value(v: MjcfValue, where: string): string {
  if (typeof v === 'number') return number(v, where);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
  return v.map((x, i) => number(x, `${where}[${i}]`)).join(' ');
}

/** The element as indented XML text. */
export function toXml(e: MjcfElement, indent = ''): string {
  const attrs = Object.entries(e.attrs)
    .filter((kv): kv is [string, MjcfValue] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${value(v, `<${e.tag} ${k}>`)}"`).join('');
  if (e.children.length === 0) return `${indent}<${e.tag}${attrs}/>\n`;
  return `${indent}<${e.tag}${attrs}>\n${e.children.map((c) => toXml(c, `${indent}  `)).join('')}${indent}</${e.tag}>\n`;
}
