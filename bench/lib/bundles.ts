// Reads labelled incident bundles from a folder (recursively): `*.json` and `*.json.gz`, each one
// bundle in the documented format (version 1) with a `truth`. Bundles without truth are skipped and
// counted; a malformed file is an error naming the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { validateBundle } from '../../src/core/bundle';
import { isLabelled, type LabelledBundle } from '../../src/eval/truth';

export interface LoadedBundle {
  file: string;
  bundle: LabelledBundle;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else if (e.name.endsWith('.json') || e.name.endsWith('.json.gz')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function readBundleFile(file: string): unknown {
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Labelled bundles under dir, in path order; `skipped` counts JSON files that are not labelled bundles. */
export function loadLabelledBundles(dir: string): { bundles: LoadedBundle[]; skipped: string[] } {
  const root = path.resolve(dir);
  if (!fs.existsSync(root)) throw new Error(`${root} does not exist`);
  const bundles: LoadedBundle[] = [];
  const skipped: string[] = [];
  for (const file of listFiles(root)) {
    const parsed = readBundleFile(file);
    // Folders of cases also hold truth files and manifests: only objects that look like bundles count.
    if (!parsed || typeof parsed !== 'object' || !('alert' in parsed) || !('version' in parsed)) {
      skipped.push(path.relative(root, file));
      continue;
    }
    let b;
    try {
      b = validateBundle(parsed);
    } catch (err) {
      throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (isLabelled(b)) bundles.push({ file: path.relative(root, file), bundle: b });
    else skipped.push(path.relative(root, file));
  }
  return { bundles, skipped };
}
