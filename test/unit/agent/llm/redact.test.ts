import * as assert from 'node:assert/strict';
import { redactText, redactValue } from '../../../../src/core/redact';

// Planted secrets of each kind the issue names, as they show up in logs, labels and files.
export const plantedSecrets: { what: string; text: string; secret: string }[] = [
  { what: 'bearer token in a logged header', text: 'upstream said 401 for Authorization: Bearer s3cr3tT0kenABCDEF123456', secret: 's3cr3tT0kenABCDEF123456' },
  { what: 'bare bearer credential in a curl line', text: 'retrying curl -H "X: y" with Bearer abcDEF0123456789xyzTOKEN now', secret: 'abcDEF0123456789xyzTOKEN' },
  { what: 'basic credential', text: 'proxy auth Basic dXNlcjpodW50ZXIyLXBhc3N3b3Jk failed', secret: 'dXNlcjpodW50ZXIyLXBhc3N3b3Jk' },
  { what: 'ApiKey scheme (Elasticsearch)', text: 'es client: Authorization=ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw== rejected', secret: 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw' },
  { what: 'api_key=value', text: 'GET /v1/charge?api_key=live9f8e7d6c5b4a3210&amount=5', secret: 'live9f8e7d6c5b4a3210' },
  { what: 'x-api-key header', text: 'x-api-key: key-5f4dcc3b5aa765d61d8327deb882cf99', secret: 'key-5f4dcc3b5aa765d61d8327deb882cf99' },
  { what: 'password in a URL', text: 'connecting to postgres://payments:Pa55w0rdInUrl@db.internal:5432/payments', secret: 'Pa55w0rdInUrl' },
  { what: 'password in a connection string', text: 'Server=sql1;Database=orders;User Id=svc;Password=C0nnStr1ngPw;Encrypt=true', secret: 'C0nnStr1ngPw' },
  { what: 'JWT', text: 'session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c expired', secret: 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c' },
  { what: 'AWS access key id', text: 'using credentials AKIAIOSFODNN7EXAMPLE for s3', secret: 'AKIAIOSFODNN7EXAMPLE' },
  { what: 'AWS secret access key', text: 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  { what: 'GitHub token', text: 'clone with ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 failed', secret: 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789' },
  { what: 'OpenAI-style key', text: 'OPENAI key sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123 loaded', secret: 'AbCdEfGhIjKlMnOpQrStUvWxYz0123' },
  { what: 'private key block (JSON-escaped newlines)', text: '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n"}', secret: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' },
  { what: 'RSA private key block', text: '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----', secret: 'MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo' },
  { what: 'Azure storage account key', text: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core', secret: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA' },
];

describe('redaction before anything reaches a model', () => {
  for (const p of plantedSecrets) {
    it(`hides a ${p.what} and keeps the rest of the line`, () => {
      const out = redactText(p.text);
      assert.ok(!out.includes(p.secret), `still visible: ${out}`);
      assert.ok(out.includes('<redacted>'), out);
    });
  }

  it('keeps ordinary telemetry readable: durations, ids, times and status codes stay', () => {
    const line = 'GET /api/orders/123 -> 503 in 1532 ms at 12:30:45 trace 4bf92f3577b34da6a3ce929d0e0e4736';
    assert.equal(redactText(line), line);
  });

  it('e-mail addresses and IPs only when the settings say so', () => {
    const line = 'login failed for alice@example.com from 10.1.2.3 and 2001:db8::7';
    assert.equal(redactText(line), line);
    assert.equal(redactText(line, { emails: true, ips: false }), 'login failed for <email> from 10.1.2.3 and 2001:db8::7');
    assert.equal(redactText(line, { emails: true, ips: true }), 'login failed for <email> from <ip> and <ip>');
  });

  it('walks a structured value, keys included, without changing its shape', () => {
    const v = { labels: { token: 'tok_live_abcdefghijklmnop', 'Bearer abcdefghijklmnopqrstu': 1 }, lines: ['ok', 'password=hunter2hunter2'], n: 3 };
    const out = redactValue(v);
    const text = JSON.stringify(out);
    assert.ok(!text.includes('tok_live_abcdefghijklmnop') && !text.includes('hunter2hunter2') && !text.includes('abcdefghijklmnopqrstu'), text);
    assert.equal(out.n, 3);
    assert.equal(out.lines[0], 'ok');
  });
});
