-- Demo data for the sales.orders-analytical-consent data product.
--
-- Writes data/consented_orders.parquet: the orders of sales.orders whose customer gave
-- analytical consent, with the e-mail address dropped, the customer number replaced by a keyed
-- pseudonym and the order time coarsened to the day. Run from the product folder:
--   duckdb -c ".read data/generate.sql"
--
-- Deterministic: no random numbers. It rebuilds the orders with the same model as
-- sales.orders/data/generate.sql (same row_count and as_of give the same orders), so the product
-- can be tested alone. Override the defaults by setting the variables before running it.
SET VARIABLE row_count = COALESCE(getvariable('row_count'), 10000);
SET VARIABLE as_of = COALESCE(getvariable('as_of'), date_trunc('hour', now() AT TIME ZONE 'UTC'));

-- Uniform pseudo-random number in [0, 1) for row `i` and stream `salt`.
CREATE OR REPLACE TEMP MACRO u(i, salt) AS (hash(i, salt) % 1000000) / 1000000.0;
-- Picks one element of a list, uniformly by hash.
-- (The hash is narrowed to INTEGER first: UBIGINT % BIGINT is an order of magnitude slower.)
CREATE OR REPLACE TEMP MACRO pick(i, salt, options) AS options[CAST(hash(i, salt) % 1000000 AS INTEGER) % len(options) + 1];

-- Customers: one per four orders. Names and mailboxes are invented; the domains are reserved
-- example domains (RFC 2606), so no real person can be mailed.
SET VARIABLE customer_count = greatest(100, getvariable('row_count') // 4);
CREATE OR REPLACE TEMP TABLE customers AS
SELECT
  j AS customer_no,
  'CUS-' || CAST(1000000 + j AS VARCHAR) AS customer_id,
  lower(pick(j, 'first', ['Emma', 'Noah', 'Julia', 'Liam', 'Mila', 'Lucas', 'Sara', 'Finn', 'Tess', 'Daan', 'Lotte', 'Sem', 'Anna', 'Jesse', 'Eva', 'Milan']))
    || '.' || lower(pick(j, 'last', ['de-jong', 'jansen', 'de-vries', 'van-dijk', 'bakker', 'janssens', 'visser', 'smit', 'meijer', 'peeters', 'mulder', 'dubois', 'schmidt', 'martin', 'bos', 'vos']))
    || CAST(j % 1000 AS VARCHAR) || '@' || pick(j, 'domain', ['example.com', 'example.net', 'example.org', 'mail.example']) AS customer_email,
  -- 62 % of customers allow analytical use of their orders in their privacy settings.
  u(j, 'consent') < 0.62 AS analytics_consent
FROM range(getvariable('customer_count')) AS c(j);

-- Orders, evenly spread over the 540 days before `as_of`, oldest first. New customers join over
-- time: order i can only come from the customers who had joined by then.
CREATE OR REPLACE TEMP TABLE orders AS
WITH o AS (
  SELECT
    i,
    CAST(hash(i, 'customer') % 1000000007 AS BIGINT) % CAST(greatest(1, ceil(getvariable('customer_count') * (i + 1) / getvariable('row_count'))) AS BIGINT) AS customer_no,
    date_trunc('second', getvariable('as_of')
      - to_seconds(CAST((getvariable('row_count') - i - u(i, 'jitter')) * 540 * 86400 / getvariable('row_count') AS BIGINT))) AS order_ts,
    1 + CAST(floor(pow(u(i, 'items'), 2) * 8) AS INTEGER) AS item_count
  FROM range(getvariable('row_count')) AS r(i)
),
priced AS (
  SELECT
    o.*,
    CAST(round(item_count * (7.95 + u(i, 'price') * 55), 2) AS DECIMAL(12, 2)) AS subtotal_amount,
    datediff('day', order_ts, getvariable('as_of')) AS age_days
  FROM o
),
amounts AS (
  SELECT
    *,
    CAST(CASE WHEN u(i, 'promo') < 0.15 THEN round(subtotal_amount * 0.10, 2) ELSE 0 END AS DECIMAL(12, 2)) AS discount_amount,
    CAST(CASE WHEN subtotal_amount >= 50 THEN 0 ELSE 4.95 END AS DECIMAL(12, 2)) AS shipping_amount
  FROM priced
)
SELECT
  'ORD-' || CAST(10000000 + a.i AS VARCHAR) AS order_id,
  c.customer_id,
  c.customer_email,
  a.order_ts,
  CASE
    WHEN u(a.i, 'cancel') < 0.05 THEN 'cancelled'
    WHEN a.age_days >= 14 AND u(a.i, 'return') < 0.06 THEN 'returned'
    WHEN a.age_days >= 3 THEN 'delivered'
    WHEN a.age_days >= 1 THEN 'shipped'
    WHEN u(a.i, 'paid') < 0.9 THEN 'paid'
    ELSE 'placed'
  END AS status,
  'EUR' AS currency,
  a.item_count,
  a.subtotal_amount,
  a.discount_amount,
  a.shipping_amount,
  CAST(round((a.subtotal_amount - a.discount_amount + a.shipping_amount) * 0.21, 2) AS DECIMAL(12, 2)) AS tax_amount,
  CAST(a.subtotal_amount - a.discount_amount + a.shipping_amount
    + CAST(round((a.subtotal_amount - a.discount_amount + a.shipping_amount) * 0.21, 2) AS DECIMAL(12, 2)) AS DECIMAL(12, 2)) AS total_amount,
  pick(a.i, 'pay', ['ideal', 'ideal', 'ideal', 'credit_card', 'paypal', 'klarna', 'bancontact']) AS payment_method,
  pick(a.i, 'country', ['NL', 'NL', 'NL', 'NL', 'NL', 'NL', 'BE', 'BE', 'DE', 'DE', 'FR', 'LU']) AS shipping_country,
  pick(a.i, 'channel', ['web', 'web', 'web', 'app']) AS sales_channel,
  c.analytics_consent
FROM amounts AS a
JOIN customers AS c USING (customer_no)
ORDER BY a.order_ts, order_id;

-- The pseudonymisation key is a secret in production; the demo uses a fixed one.
CREATE OR REPLACE TEMP TABLE consented_orders AS
SELECT
  order_id,
  'ck_' || substr(md5(customer_id || ':demo-pseudonym-key'), 1, 16) AS customer_key,
  CAST(order_ts AS DATE) AS order_date,
  status,
  currency,
  item_count,
  subtotal_amount,
  discount_amount,
  shipping_amount,
  tax_amount,
  total_amount,
  payment_method,
  shipping_country,
  sales_channel
FROM orders
WHERE analytics_consent
ORDER BY order_date, order_id;

COPY consented_orders TO 'data/consented_orders.parquet' (FORMAT parquet);
