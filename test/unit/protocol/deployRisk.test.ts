import * as assert from 'node:assert/strict';
import { IpcHost, type IpcMessage } from '../../../src/protocol/ipc';
import { deployRiskOpenCommit, deployRiskOpenFile } from '../../../src/protocol/deployRisk';

describe('deployment risk panel messages', function () {
  it('reach their handler only with the documented parameters; anything else is refused and said', async function () {
    const opened: unknown[] = [];
    const errors: string[] = [];
    const host = new IpcHost(
      (_m: IpcMessage) => undefined,
      (method, err) => errors.push(`${method}: ${(err as Error).message}`),
    )
      .onCommand(deployRiskOpenFile, (p) => void opened.push(p))
      .onCommand(deployRiskOpenCommit, (p) => void opened.push(p));
    await host.dispatch({ method: deployRiskOpenFile.method, params: { path: 'services/payments/src/charge.js', line: 12 } });
    await host.dispatch({ method: deployRiskOpenCommit.method, params: { sha: 'a'.repeat(40) } });
    for (const params of [{ path: 'a.js', line: '12' }, { path: 'a.js', line: 1.5 }, { line: 3 }, { path: 'x'.repeat(5000) }]) await host.dispatch({ method: deployRiskOpenFile.method, params });
    await host.dispatch({ method: deployRiskOpenCommit.method, params: { sha: 'a'.repeat(65) } });
    await host.dispatch({ method: 'deployRisk/runShell', params: { argv: ['rm', '-rf', '/'] } });
    assert.deepEqual(opened, [{ path: 'services/payments/src/charge.js', line: 12 }, { sha: 'a'.repeat(40) }]);
    assert.equal(errors.length, 5);
    assert.match(errors[0], /"line" must be an integer/);
    assert.match(errors[2], /"path" is required/);
    assert.match(errors[4], /"sha" must be a string of at most 64 characters/);
  });
});
