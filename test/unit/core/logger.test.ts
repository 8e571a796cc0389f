import * as assert from 'node:assert/strict';
import { redactSecrets } from '../../../src/core/logger';

describe('redactSecrets', () => {
  it('hides bearer tokens, passwords and credentials in URLs', () => {
    const out = redactSecrets('Authorization: Bearer abc.def.ghi token=s3cr3t http://admin:hunter2@grafana:3000/api');
    assert.ok(!out.includes('abc.def.ghi'), out);
    assert.ok(!out.includes('s3cr3t'), out);
    assert.ok(!out.includes('hunter2'), out);
    assert.ok(out.includes('grafana:3000/api'));
  });
  it('leaves ordinary text alone', () => {
    assert.equal(redactSecrets('checkout p95 latency 2.3s on route /pay'), 'checkout p95 latency 2.3s on route /pay');
  });
});

describe('redactSecrets: every scheme and the URL userinfo (issue 9)', () => {
  const cases: [string, string[], RegExp][] = [
    ['authorization: ApiKey abc123secret', ['abc123secret'], /authorization: ApiKey <redacted>/],
    ['Authorization: Bearer eyJhbGciOi.J9.sig', ['eyJhbGciOi'], /Authorization: Bearer <redacted>/],
    ['Authorization: Basic dXNlcjpodW50ZXIy', ['dXNlcjpodW50ZXIy'], /Basic <redacted>/],
    ['Authorization: Token ghp_0123456789abcdef', ['ghp_0123456789abcdef'], /Token <redacted>/],
    ['Authorization: Digest username="bob", realm="api", nonce="dcd98b", response="6629fae49393a05397450978507c4ef1"', ['6629fae49393a05397450978507c4ef1', 'dcd98b', 'bob'], /Digest <redacted>/],
    ['Proxy-Authorization: Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1', ['YIIGhgYJKoZIhvcSAQICAQBuggZ1'], /Negotiate <redacted>/],
    ['authorization=s3cr3tvalue', ['s3cr3tvalue'], /authorization=<redacted>/],
    ['{"Authorization":"ApiKey k-123","x":1}', ['k-123'], /"Authorization":"ApiKey <redacted>","x":1/],
    ['{"authorization":"Digest username=\\"bob\\", response=\\"abc\\"","x":1}', ['bob', 'abc'], /"authorization":"Digest <redacted>","x":1/],
    ["curl -H 'Authorization: Bearer abc.def' https://api.example/v1", ['abc.def'], /'Authorization: Bearer <redacted>' https:\/\/api\.example\/v1/],
    ['X-Api-Key: 9f8e7d6c', ['9f8e7d6c'], /X-Api-Key: <redacted>/],
    ['https://ghp_tokenAsUser@github.com/org/repo.git', ['ghp_tokenAsUser'], /https:\/\/<redacted>@github\.com\/org\/repo\.git/],
    ['http://admin:p@ss@grafana:3000/api', ['admin', 'p@ss', 'ss@'], /http:\/\/<redacted>@grafana:3000\/api/],
    ['postgres://app:hunter2@db.internal:5432/shop', ['hunter2', 'app:'], /postgres:\/\/<redacted>@db\.internal:5432\/shop/],
    ['GET /x?access_token=abc&client_secret=def', ['abc', 'def'], /access_token=<redacted>&client_secret=<redacted>/],
  ];
  for (const [input, hidden, kept] of cases) {
    it(input, () => {
      const out = redactSecrets(input);
      for (const h of hidden) assert.ok(!out.includes(h), `${JSON.stringify(h)} is still visible in ${out}`);
      assert.match(out, kept);
    });
  }

  it('a header on one line of many hides only that line', () => {
    assert.equal(redactSecrets('GET / HTTP/1.1\nAuthorization: Bearer abc\nHost: x'), 'GET / HTTP/1.1\nAuthorization: Bearer <redacted>\nHost: x');
  });
});
