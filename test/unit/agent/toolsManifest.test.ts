// VS Code reads the language-model tools from package.json before our code runs; the registry is what
// runs them. They must say the same thing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentTools } from '../../../src/agent/tools/registry';

const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));

describe('languageModelTools contribution', () => {
  it('lists every registry tool by its {verb}_{noun} name, with the registry description and input schema', () => {
    const contributed = pkg.contributes.languageModelTools as { name: string; modelDescription: string; inputSchema: unknown }[];
    assert.deepEqual(contributed.map((t) => t.name), agentTools.map((t) => t.name));
    for (const t of agentTools) {
      const c = contributed.find((x) => x.name === t.name)!;
      assert.match(t.name, /^[a-z]+_[a-z]+$/);
      assert.equal(c.modelDescription, t.description, t.name);
      assert.deepEqual(c.inputSchema, JSON.parse(JSON.stringify(t.inputSchema)), t.name);
    }
  });

  it('registers the MCP server definition provider, and an untrusted workspace cannot point the agent elsewhere', () => {
    assert.deepEqual(pkg.contributes.mcpServerDefinitionProviders, [{ id: 'incidentLens.mcp', label: 'Incident Lens' }]);
    const restricted = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations as string[];
    for (const k of ['incidentLens.agent.provider', 'incidentLens.agent.baseUrl', 'incidentLens.agent.model']) assert.ok(restricted.includes(k), k);
    assert.equal(pkg.contributes.configuration.properties['incidentLens.agent.provider'].default, 'off');
  });
});
