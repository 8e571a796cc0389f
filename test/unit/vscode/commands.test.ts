import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contributedCommands, internalCommands } from '../../../src/vscode/commands/commandIds';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));

describe('command table and manifest', function () {
  it('contributes exactly the commands the registry registers (internal ones aside)', function () {
    const contributed: string[] = (manifest.contributes.commands as { command: string }[]).map((c) => c.command).sort();
    for (const id of internalCommands) assert.ok(!contributed.includes(id), `${id} is internal but contributed`);
    assert.deepEqual([...contributed], [...contributedCommands].sort());
  });

  it('names only registered commands in menus and the command palette', function () {
    const known = new Set<string>([...contributedCommands, ...internalCommands]);
    for (const [where, items] of Object.entries(manifest.contributes.menus as Record<string, { command: string }[]>)) {
      for (const item of items) assert.ok(known.has(item.command), `${where} names unknown command ${item.command}`);
    }
  });
});
