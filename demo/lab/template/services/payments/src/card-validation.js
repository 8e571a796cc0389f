'use strict';
// Card checks that run before a charge goes to the acquirer. A card that fails a check is the
// customer's problem (422), never a server error.

const NETWORK_PREFIXES = [
  ['VISA', /^4/],
  ['MASTERCARD', /^(5[1-5]|2[2-7])/],
  ['AMEX', /^3[47]/],
  ['DISCOVER', /^6(011|5)/],
];

class CardValidationError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CardValidationError';
    this.status = 422;
  }
}

function luhnValid(digits) {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

// Saved cards from wallet v1 carry no network, so it is derived from the number's prefix.
function normalizeNetwork(network, digits) {
  if (typeof network === 'string' && network.trim() !== '') return network.trim().toUpperCase();
  const known = NETWORK_PREFIXES.find(([, prefix]) => prefix.test(digits));
  return known ? known[0] : 'UNKNOWN';
}

function validateCard(card, acceptedNetworks) {
  if (!card || typeof card.number !== 'string') throw new CardValidationError('card number is missing');
  const digits = card.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) throw new CardValidationError('card number is malformed');
  if (!luhnValid(digits)) throw new CardValidationError('card number fails the checksum');
  const network = normalizeNetwork(card.network, digits);
  if (!acceptedNetworks.includes(network)) throw new CardValidationError(`card network ${network} is not accepted`);
  return { network, last4: digits.slice(-4) };
}

module.exports = { validateCard, CardValidationError, luhnValid };
