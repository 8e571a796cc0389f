// Entry point of the integration suite: runs inside the VS Code extension host (desktop or the
// offline harness), runs mocha over the *.itest.js files beside it, and writes mocha's spec report
// plus a final `__RESULT__ {json}` line to INCIDENT_LENS_TEST_RESULTS, which the runner streams.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  return runSuiteIn(__dirname);
}

/** Runs mocha over the *.itest.js files of one folder (this suite's, or another harness's). */
export async function runSuiteIn(dir: string): Promise<void> {
  const resultsFile = process.env.INCIDENT_LENS_TEST_RESULTS;
  const write = (line: string) => {
    if (resultsFile) fs.appendFileSync(resultsFile, line + '\n');
    else process.stdout.write(line + '\n');
  };
  // The spec reporter prints through Base.consoleLog; route it to the results file.
  (Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void }).consoleLog = (...args: unknown[]) =>
    write(util.format(...(args as [unknown, ...unknown[]])));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.INCIDENT_LENS_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.itest.js')) mocha.addFile(path.join(dir, f));
  await new Promise<void>((resolve) => {
    try {
      const runner = mocha.run((failures) => {
        write(`__RESULT__ ${JSON.stringify({ tests: runner.stats?.tests ?? 0, passes: runner.stats?.passes ?? 0, failures })}`);
        resolve();
      });
    } catch (err) {
      write(`suite failed to load: ${err instanceof Error ? err.stack : String(err)}`);
      write(`__RESULT__ ${JSON.stringify({ tests: 0, passes: 0, failures: 1 })}`);
      resolve();
    }
  });
}
