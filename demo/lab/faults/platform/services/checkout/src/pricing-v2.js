'use strict';
// Tax engine v2: VAT per destination from the region table, amounts in the customer's currency and
// a display total for the receipt. Behind the new-tax-engine flag until finance signs it off.
const config = require('../../../config/checkout.json');

const REGIONS = {
  DE: { vat: 0.19, currency: 'EUR', locale: 'de-DE' },
  FR: { vat: 0.2, currency: 'EUR', locale: 'fr-FR' },
  NL: { vat: 0.21, currency: 'EUR', locale: 'nl-NL' },
  IE: { vat: 0.23, currency: 'EUR', locale: 'en-IE' },
};

function roundCents(value) {
  return Math.round(value * 100) / 100;
}

function priceOrderV2(lines, region) {
  const rules = REGIONS[region];
  const subtotal = lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
  const tax = roundCents(subtotal * rules.vat);
  const amount = roundCents(subtotal + tax);
  const display = new Intl.NumberFormat(rules.locale, { style: 'currency', currency: rules.currency }).format(amount);
  return { subtotal: roundCents(subtotal), tax, amount, currency: rules.currency || config.currency, display };
}

module.exports = { priceOrderV2 };
