-- The catalogue the shop opened with: the six storefront products and the wider range of
-- accessories, with their stock and 60 days of sales history.
INSERT INTO products (sku, name, category, price_cents) VALUES
  ('MUG-01', 'Enamel mug', 'cups', 1250),
  ('BEANS-1K', 'House blend beans, 1 kg', 'coffee', 2400),
  ('GRINDER-H', 'Hand grinder', 'grinders', 7900),
  ('KETTLE-G', 'Gooseneck kettle', 'kettles', 5490),
  ('FILTER-100', 'Paper filters, 100', 'filters', 550),
  ('ESPRESSO-M', 'Espresso machine', 'machines', 64900);

INSERT INTO products (sku, name, category, price_cents)
SELECT format('ACC-%s', lpad(n::text, 4, '0')),
       format('%s %s, %s', (ARRAY['Walnut', 'Steel', 'Ceramic', 'Glass', 'Bamboo', 'Copper'])[1 + n % 6],
              (ARRAY['tamper', 'dosing cup', 'scale', 'milk jug', 'brush', 'canister', 'dripper', 'server'])[1 + n % 8], n),
       (ARRAY['accessories', 'brewing', 'storage', 'cleaning'])[1 + n % 4],
       500 + (n * 37) % 9500
FROM generate_series(1, 400) AS n;

-- The hand grinder is sold out until the next delivery.
INSERT INTO stock (sku, on_hand) SELECT sku, CASE WHEN sku = 'GRINDER-H' THEN 0 ELSE 1000000 END FROM products;

INSERT INTO stock_movements (sku, delta, reason, created_at)
SELECT p.sku, -1 - (m % 3), 'sale', now() - (m % 86400) * interval '60 seconds'
FROM products p CROSS JOIN generate_series(1, 100) AS m;
