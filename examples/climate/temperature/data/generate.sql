-- Demo data for the climate.temperature data product.
--
-- Writes data/daily_temperature.parquet: one row per station and day, ending yesterday (UTC).
-- Run from the product folder:
--   duckdb -c ".read data/generate.sql"
--
-- Deterministic: no random numbers; every value is a function of the row number, hashed with
-- hash(). The real pipeline aggregates climate.weather-station-readings; this stand-in produces
-- the same shape on its own so the product can be tested alone. Override the defaults by setting
-- the variables before running it (e.g. SET VARIABLE row_count = 1000000;
-- SET VARIABLE as_of = DATE '2025-01-01'; for byte-identical output).
SET VARIABLE row_count = COALESCE(getvariable('row_count'), 10000);
SET VARIABLE as_of = COALESCE(getvariable('as_of'), CAST(now() AT TIME ZONE 'UTC' AS DATE));

-- Uniform pseudo-random number in [0, 1) for row `i` and stream `salt`.
CREATE OR REPLACE TEMP MACRO u(i, salt) AS (hash(i, salt) % 1000000) / 1000000.0;

-- The 48 stations of climate.weather-station-readings (same numbering, provinces and tide gauges).
CREATE OR REPLACE TEMP TABLE stations AS
SELECT
  'WS-' || CAST(1001 + s.n AS VARCHAR) AS station_id,
  s.n AS station_no,
  r.region_code,
  r.region_name,
  r.region_is_coastal AND (s.n // 8) % 2 = 1 AS is_coastal
FROM range(48) AS s(n)
JOIN (VALUES
  (0, 'NL-NH', 'Noord-Holland', true), (1, 'NL-ZH', 'Zuid-Holland', true),
  (2, 'NL-ZE', 'Zeeland', true), (3, 'NL-FR', 'Fryslân', true),
  (4, 'NL-UT', 'Utrecht', false), (5, 'NL-GE', 'Gelderland', false),
  (6, 'NL-LI', 'Limburg', false), (7, 'NL-NB', 'Noord-Brabant', false)
) AS r(region_no, region_code, region_name, region_is_coastal) ON r.region_no = s.n % 8;

CREATE OR REPLACE TEMP TABLE daily_temperature AS
WITH grid AS (
  SELECT
    i,
    i % 48 AS station_no,
    CAST(getvariable('as_of') AS DATE) - CAST(ceil(getvariable('row_count') / 48.0) - i // 48 AS INTEGER) AS measurement_date
  FROM range(getvariable('row_count')) AS g(i)
),
day AS (
  SELECT
    g.i,
    s.station_id,
    s.region_code,
    g.measurement_date,
    10.5 - 7 * cos(2 * pi() * (dayofyear(g.measurement_date) - 15) / 365.0) + (u(g.i, 'mean') - 0.5) * 5 AS mean_c,
    (CASE WHEN s.is_coastal THEN 2.5 ELSE 4.0 END) * (0.7 + u(g.i, 'amp') * 0.6) AS half_range_c,
    CASE WHEN hash(g.i, 'gap') % 25 = 0 THEN 24 - 1 - CAST(hash(g.i, 'gaps') % 4 AS INTEGER) ELSE 24 END AS reading_count
  FROM grid AS g
  JOIN stations AS s USING (station_no)
)
SELECT
  station_id,
  region_code,
  measurement_date,
  round(mean_c - half_range_c, 1) AS min_temperature_c,
  round(mean_c, 1) AS mean_temperature_c,
  round(mean_c + half_range_c, 1) AS max_temperature_c,
  reading_count,
  round(100.0 * reading_count / 24, 1) AS coverage_pct
FROM day
ORDER BY measurement_date, station_id;

COPY daily_temperature TO 'data/daily_temperature.parquet' (FORMAT parquet);
