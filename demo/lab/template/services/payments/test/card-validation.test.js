'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { validateCard, luhnValid } = require('../src/card-validation');

const ACCEPTED = ['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER'];

test('accepts a valid card and reports its network', () => {
  assert.deepStrictEqual(validateCard({ number: '4111 1111 1111 1111', network: 'visa' }, ACCEPTED), { network: 'VISA', last4: '1111' });
});

test('rejects a number that fails the checksum', () => {
  assert.strictEqual(luhnValid('4111111111111112'), false);
  assert.throws(() => validateCard({ number: '4111111111111112', network: 'visa' }, ACCEPTED), /checksum/);
});

test('derives the network from the number when the wallet omits it', () => {
  assert.strictEqual(validateCard({ number: '5555555555554444' }, ACCEPTED).network, 'MASTERCARD');
});
