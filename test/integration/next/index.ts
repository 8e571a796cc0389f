// Entry point of the integration suite that needs VS Code 1.103 (APIs newer than the 1.100 floor:
// language-model tools invoked through vscode.lm, MCP server definition providers). Same runner as
// test/integration/suite, over the *.itest.js files of this folder.
import { runSuiteIn } from '../suite/index';

export function run(): Promise<void> {
  return runSuiteIn(__dirname);
}
