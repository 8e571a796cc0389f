-- Products, stock levels, reservations held for orders in checkout, and the stock movement ledger.
CREATE TABLE products (
  sku text PRIMARY KEY,
  name text NOT NULL,
  category text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents > 0)
);

CREATE TABLE stock (
  sku text PRIMARY KEY REFERENCES products (sku),
  on_hand integer NOT NULL CHECK (on_hand >= 0),
  reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reservations (
  id bigserial PRIMARY KEY,
  order_ref text NOT NULL,
  sku text NOT NULL REFERENCES products (sku),
  quantity integer NOT NULL CHECK (quantity > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_order_ref_idx ON reservations (order_ref);

CREATE TABLE stock_movements (
  id bigserial PRIMARY KEY,
  sku text NOT NULL REFERENCES products (sku),
  delta integer NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_sku_created_idx ON stock_movements (sku, created_at);
