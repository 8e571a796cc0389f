'use strict';
// The product catalogue. Prices are in EUR.
const PRODUCTS = [
  { sku: 'MUG-01', name: 'Enamel mug', price: 12.5 },
  { sku: 'BEANS-1K', name: 'House blend beans, 1 kg', price: 24 },
  { sku: 'GRINDER-H', name: 'Hand grinder', price: 79 },
  { sku: 'KETTLE-G', name: 'Gooseneck kettle', price: 54.9 },
  { sku: 'FILTER-100', name: 'Paper filters, 100', price: 5.5 },
  { sku: 'ESPRESSO-M', name: 'Espresso machine', price: 649 },
];

function findProduct(sku) {
  return PRODUCTS.find((product) => product.sku === sku);
}

function listProducts() {
  return PRODUCTS.map((product) => ({ ...product }));
}

module.exports = { findProduct, listProducts };
