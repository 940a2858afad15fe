// A small strict XML well-formedness check for the SVG tests: one root element, properly nested and
// closed tags, quoted attributes with unique names, only the five predefined or numeric entities, no
// stray "<" or "&". Returns the elements (name and attributes, in document order) so tests can count them.

export interface XmlElement { name: string; attrs: Record<string, string>; text: string }

const NAME = /^[A-Za-z_:][\w.:-]*$/;
const ENTITY = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function checkText(s: string, where: number): void {
  if (s.includes("<")) throw new Error(`stray "<" at ${where}`);
  if (s.replace(ENTITY, "").includes("&")) throw new Error(`bad entity near ${where}`);
}

export function parseXml(doc: string): XmlElement[] {
  let i = 0;
  if (doc.startsWith("<?xml")) { i = doc.indexOf("?>"); if (i < 0) throw new Error("unclosed XML declaration"); i += 2; }
  const stack: XmlElement[] = [], all: XmlElement[] = [];
  let roots = 0;
  while (i < doc.length) {
    const lt = doc.indexOf("<", i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    checkText(text, i);
    if (stack.length) stack[stack.length - 1].text += text;
    else if (text.trim()) throw new Error(`text outside the root element at ${i}`);
    if (lt < 0) break;
    if (doc.startsWith("<!--", lt)) { const e = doc.indexOf("-->", lt); if (e < 0) throw new Error("unclosed comment"); i = e + 3; continue; }
    const gt = doc.indexOf(">", lt);
    if (gt < 0) throw new Error(`unclosed tag at ${lt}`);
    let body = doc.slice(lt + 1, gt);
    i = gt + 1;
    if (body.startsWith("/")) {
      const name = body.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes ${open ? `<${open.name}>` : "nothing"} at ${lt}`);
      continue;
    }
    const selfClosing = body.endsWith("/");
    if (selfClosing) body = body.slice(0, -1);
    const m = /^([^\s]+)\s*([\s\S]*)$/.exec(body);
    if (!m || !NAME.test(m[1])) throw new Error(`bad tag name at ${lt}`);
    const el: XmlElement = { name: m[1], attrs: {}, text: "" };
    let rest = m[2];
    while (rest.trim()) {
      const a = /^\s*([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')\s*/.exec(rest);
      if (!a) throw new Error(`bad attribute syntax in <${el.name}> near ${JSON.stringify(rest.slice(0, 20))}`);
      if (a[1] in el.attrs) throw new Error(`attribute ${a[1]} repeated in <${el.name}>`);
      const v = a[3] ?? a[4];
      checkText(v, lt);
      el.attrs[a[1]] = v;
      rest = rest.slice(a[0].length);
    }
    if (!stack.length) { if (++roots > 1) throw new Error("more than one root element"); }
    all.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (roots !== 1) throw new Error("no root element");
  return all;
}
