// Cobertura XML (coverage-04.dtd, as written by Cobertura, coverage.py, istanbul and others):
// <coverage><sources><source>dir</source></sources><packages><package><classes>
// <class filename="…"><lines><line number="n" hits="h"/>. Lines under <methods> repeat the class's
// lines and are not counted twice.
import { scanXml, XmlError } from './xml';
import { CoverageFormatError, recordHits, type CoverageReport, type FileCoverage } from './types';

export function parseCobertura(xml: string): CoverageReport {
  const byPath = new Map<string, FileCoverage>();
  const roots: string[] = [];
  const stack: string[] = [];
  let current: FileCoverage | undefined;
  let sawRoot = false;
  try {
    scanXml(xml, {
      open(name, attrs) {
        if (!stack.length) {
          if (name !== 'coverage') throw new CoverageFormatError('cobertura', `the root element is <${name}>, not <coverage>`);
          sawRoot = true;
        }
        if (name === 'class') {
          const file = attrs.filename;
          if (file) {
            current = byPath.get(file) ?? { path: file, lines: new Map() };
            byPath.set(file, current);
          }
        } else if (name === 'line' && current && stack[stack.length - 1] === 'lines' && stack[stack.length - 2] === 'class') {
          recordHits(current.lines, Number(attrs.number), Number(attrs.hits));
        }
        stack.push(name); // scanXml closes a self-closing element too
      },
      close(name) {
        if (stack[stack.length - 1] === name) stack.pop();
        if (name === 'class') current = undefined;
      },
      text(t) {
        if (stack[stack.length - 1] === 'source') roots.push(t.trim());
      },
    });
  } catch (err) {
    if (err instanceof XmlError) throw new CoverageFormatError('cobertura', err.message);
    throw err;
  }
  if (!sawRoot) throw new CoverageFormatError('cobertura', 'no <coverage> element');
  return { format: 'cobertura', files: [...byPath.values()], roots };
}
