// JaCoCo's XML report (report.dtd, "-//JACOCO//DTD Report 1.1//EN"): <report>, optional <group>s,
// <package name="org/example">, <sourcefile name="Foo.java"> with <line nr mi ci mb cb/>: a line is
// instrumented when it has instructions (mi + ci > 0) and covered when some ran (ci > 0).
import { scanXml, XmlError } from './xml';
import { CoverageFormatError, recordHits, type CoverageReport, type FileCoverage } from './types';

export function parseJacoco(xml: string): CoverageReport {
  const files: FileCoverage[] = [];
  const packages: string[] = [];
  let current: FileCoverage | undefined;
  let depth = 0;
  let sawRoot = false;
  try {
    scanXml(xml, {
      open(name, attrs) {
        if (depth === 0) {
          if (name !== 'report') throw new CoverageFormatError('jacoco', `the root element is <${name}>, not <report>`);
          sawRoot = true;
        }
        depth++; // scanXml closes a self-closing element too
        if (name === 'package') packages.push(attrs.name ?? '');
        else if (name === 'sourcefile' && attrs.name) {
          const pkg = packages[packages.length - 1] ?? '';
          current = { path: pkg ? `${pkg}/${attrs.name}` : attrs.name, lines: new Map() };
          files.push(current);
        } else if (name === 'line' && current) {
          const mi = Number(attrs.mi ?? 0);
          const ci = Number(attrs.ci ?? 0);
          if (mi + ci > 0) recordHits(current.lines, Number(attrs.nr), ci);
        }
      },
      close(name) {
        depth--;
        if (name === 'package') packages.pop();
        if (name === 'sourcefile') current = undefined;
      },
    });
  } catch (err) {
    if (err instanceof XmlError) throw new CoverageFormatError('jacoco', err.message);
    throw err;
  }
  if (!sawRoot) throw new CoverageFormatError('jacoco', 'no <report> element');
  return { format: 'jacoco', files, roots: [] };
}
