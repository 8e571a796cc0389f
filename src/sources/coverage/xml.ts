// A small XML scanner for coverage reports (Cobertura, JaCoCo): elements, attributes and text, in
// document order. Reports are untrusted files, so it expands nothing but XML's five predefined
// entities and character references: a DOCTYPE (with any internal subset) is skipped, never read, so
// no external entity is fetched and no entity can multiply itself.

export interface XmlHandlers {
  open(name: string, attrs: Record<string, string>, selfClosing: boolean): void;
  close?(name: string): void;
  text?(text: string): void;
}

export class XmlError extends Error {}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeChar(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeChar(parseInt(ref.slice(1), 10)) ?? whole;
    return PREDEFINED[ref] ?? whole;
  });
}

function safeChar(code: number): string | undefined {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

const ATTR = /([A-Za-z_:][-A-Za-z0-9_.:]*)\s*=\s*("([^"]*)"|'([^']*)')/g;

export function scanXml(xml: string, h: XmlHandlers): void {
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      if (h.text && xml.slice(i).trim()) h.text(decodeXmlText(xml.slice(i)));
      return;
    }
    if (lt > i && h.text) {
      const t = xml.slice(i, lt);
      if (t.trim()) h.text(decodeXmlText(t));
    }
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) throw new XmlError('unterminated CDATA section');
      h.text?.(xml.slice(lt + 9, end));
      i = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) throw new XmlError('unterminated processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!', lt)) {
      // DOCTYPE, possibly with an internal subset in brackets: skipped unread.
      let j = lt + 2;
      let depth = 0;
      for (; j < n; j++) {
        const c = xml[j];
        if (c === '[') depth++;
        else if (c === ']') depth--;
        else if (c === '>' && depth <= 0) break;
      }
      if (j >= n) throw new XmlError('unterminated declaration');
      i = j + 1;
    } else if (xml[lt + 1] === '/') {
      const end = xml.indexOf('>', lt);
      if (end < 0) throw new XmlError('unterminated end tag');
      h.close?.(xml.slice(lt + 2, end).trim());
      i = end + 1;
    } else {
      // A start tag: find its end outside quoted attribute values.
      let j = lt + 1;
      let quote = '';
      for (; j < n; j++) {
        const c = xml[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= n) throw new XmlError('unterminated start tag');
      let body = xml.slice(lt + 1, j);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const m = /^([A-Za-z_:][-A-Za-z0-9_.:]*)/.exec(body);
      if (!m) throw new XmlError(`malformed tag at offset ${lt}`);
      const attrs: Record<string, string> = Object.create(null);
      for (const a of body.slice(m[1].length).matchAll(ATTR)) attrs[a[1]] = decodeXmlText(a[3] ?? a[4] ?? '');
      h.open(m[1], attrs, selfClosing);
      if (selfClosing) h.close?.(m[1]);
      i = j + 1;
    }
  }
}
