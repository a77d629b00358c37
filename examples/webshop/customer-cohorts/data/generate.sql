-- Demo data for the customer.customer-cohorts data product.
--
-- Writes data/monthly_cohorts.parquet: customers grouped by the month of their first consented
-- order, and what each cohort did in every month since. Run from the product folder:
--   duckdb -c ".read data/generate.sql"
--
-- Deterministic: no random numbers. It rebuilds the consented orders with the same model as
-- sales.orders-analytical-consent/data/generate.sql (same row_count and as_of give the same
-- orders), so the product can be tested alone. Override the defaults by setting the variables
-- before running it.
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

CREATE OR REPLACE TEMP TABLE consented_orders AS
SELECT
  'ck_' || substr(md5(customer_id || ':demo-pseudonym-key'), 1, 16) AS customer_key,
  CAST(order_ts AS DATE) AS order_date,
  total_amount
FROM orders
WHERE analytics_consent AND status NOT IN ('cancelled', 'returned');

-- Cohorts smaller than 10 customers are left out, so no row describes a handful of people.
CREATE OR REPLACE TEMP TABLE monthly_cohorts AS
WITH firsts AS (
  SELECT customer_key, CAST(date_trunc('month', min(order_date)) AS DATE) AS cohort_month
  FROM consented_orders GROUP BY customer_key
),
sizes AS (
  SELECT cohort_month, count(*) AS cohort_size FROM firsts GROUP BY cohort_month
),
activity AS (
  SELECT
    f.cohort_month,
    CAST(datediff('month', f.cohort_month, date_trunc('month', o.order_date)) AS INTEGER) AS months_since_first_order,
    count(DISTINCT o.customer_key) AS active_customers,
    count(*) AS order_count,
    sum(o.total_amount) AS revenue_eur
  FROM consented_orders AS o JOIN firsts AS f USING (customer_key)
  GROUP BY ALL
)
SELECT
  a.cohort_month,
  a.months_since_first_order,
  CAST(s.cohort_size AS INTEGER) AS cohort_size,
  CAST(a.active_customers AS INTEGER) AS active_customers,
  CAST(a.order_count AS INTEGER) AS order_count,
  CAST(a.revenue_eur AS DECIMAL(14, 2)) AS revenue_eur,
  round(a.active_customers / s.cohort_size, 4) AS retention_rate,
  CAST(round(a.revenue_eur / a.order_count, 2) AS DECIMAL(12, 2)) AS avg_order_value_eur,
  CAST(getvariable('as_of') AS DATE) AS computed_on
FROM activity AS a JOIN sizes AS s USING (cohort_month)
WHERE s.cohort_size >= 10
ORDER BY a.cohort_month, a.months_since_first_order;

COPY monthly_cohorts TO 'data/monthly_cohorts.parquet' (FORMAT parquet);
