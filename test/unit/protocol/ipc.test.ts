import * as assert from 'node:assert/strict';
import { IpcClient, IpcHost, IpcRequestError, type IpcMessage } from '../../../src/protocol/ipc';
import { readyCommand, runActionCommand, traceRequest } from '../../../src/protocol/investigation';

/** A host and a webview wired back to back, as VS Code's postMessage does (asynchronously, as JSON). */
function pair(timeoutMs = 500) {
  const toHost: IpcMessage[] = [];
  const wire: { client?: IpcClient } = {};
  const host = new IpcHost((m) => setTimeout(() => wire.client?.receive(JSON.parse(JSON.stringify(m))), 1));
  const client = new IpcClient((m) => {
    toHost.push(m);
    setTimeout(() => void host.dispatch(JSON.parse(JSON.stringify(m))), 1);
  }, timeoutMs);
  wire.client = client;
  return { host, client, toHost };
}

describe('webview IPC', function () {
  it('dispatches typed commands and answers typed requests', async function () {
    const { host, client } = pair();
    const ran: { index: number; actionId: string }[] = [];
    host.onCommand(runActionCommand, (p) => void ran.push(p)).onRequest(traceRequest, ({ traceId }) => ({ traceId, totalMs: 5, rows: [] }));
    client.send(runActionCommand, { index: 1, actionId: 'rollback-deploy' });
    const reply = await client.request(traceRequest, { traceId: 'abc' });
    assert.deepEqual(reply, { traceId: 'abc', totalMs: 5, rows: [] });
    assert.deepEqual(ran, [{ index: 1, actionId: 'rollback-deploy' }]);
  });

  it('refuses parameters of the wrong type instead of running the handler', async function () {
    const ran: unknown[] = [];
    const errors: string[] = [];
    const posted: IpcMessage[] = [];
    const strict = new IpcHost((m) => posted.push(m), (method, err) => errors.push(`${method}: ${(err as Error).message}`));
    strict.onCommand(runActionCommand, (p) => void ran.push(p));
    for (const params of [{ index: '0', actionId: 'x' }, { index: 1.5, actionId: 'x' }, { index: 0 }, { index: 0, actionId: 'x'.repeat(500) }, 'run everything', null]) {
      await strict.dispatch({ method: runActionCommand.method, params });
    }
    assert.deepEqual(ran, []);
    assert.equal(errors.length, 6);
    assert.match(errors[0], /"index" must be an integer/);
  });

  it('replies with an error to an unknown method or a failing handler, and times out when no reply comes', async function () {
    const { host, client } = pair(200);
    host.onRequest(traceRequest, () => {
      throw new Error('the store is gone');
    });
    await assert.rejects(client.request(traceRequest, { traceId: 't' }), (e: Error) => e instanceof IpcRequestError && /the store is gone/.test(e.message));
    const silent = new IpcClient(() => undefined, 50);
    await assert.rejects(silent.request(traceRequest, { traceId: 't' }), /no answer within/);
    const posted: IpcMessage[] = [];
    const bare = new IpcHost((m) => posted.push(m));
    await bare.dispatch({ method: 'investigation/nope', id: 7, params: {} });
    assert.deepEqual(posted, [{ method: 'investigation/nope', id: 7, error: 'unknown method investigation/nope' }]);
    await bare.dispatch({ method: readyCommand.method, params: {} });
    assert.equal(posted.length, 1, 'a message without a request id gets no reply');
  });
});
