'use strict';
// Order totals: subtotal, tax for the customer's region, and the amount to charge.
const config = require('../../../config/checkout.json');

function roundCents(value) {
  return Math.round(value * 100) / 100;
}

function priceOrder(lines, region) {
  const subtotal = lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
  const rate = config.taxRates[region] ?? config.taxRates.default;
  const tax = roundCents(subtotal * rate);
  return { subtotal: roundCents(subtotal), tax, amount: roundCents(subtotal + tax), currency: config.currency };
}

module.exports = { priceOrder };
