-- Demo data for the climate.precipitation data product.
--
-- Writes data/daily_precipitation.parquet: one row per station and day, ending yesterday (UTC).
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

CREATE OR REPLACE TEMP TABLE daily_precipitation AS
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
    -- About 45 % of days are dry; wetter in autumn and winter, as in the Netherlands.
    u(g.i, 'wet') < 0.45 + 0.15 * cos(2 * pi() * (dayofyear(g.measurement_date) - 320) / 365.0) AS is_wet,
    CASE WHEN hash(g.i, 'gap') % 25 = 0 THEN 24 - 1 - CAST(hash(g.i, 'gaps') % 4 AS INTEGER) ELSE 24 END AS reading_count
  FROM grid AS g
  JOIN stations AS s USING (station_no)
),
wet AS (
  SELECT
    *,
    CASE WHEN is_wet THEN 1 + CAST(hash(i, 'hours') % 12 AS INTEGER) ELSE 0 END AS wet_hours,
    CASE WHEN is_wet THEN 0.3 + u(i, 'peak') * 6 ELSE 0 END AS peak_mm
  FROM day
)
SELECT
  station_id,
  region_code,
  measurement_date,
  round(CASE WHEN is_wet THEN peak_mm + (wet_hours - 1) * peak_mm * (0.2 + u(i, 'rest') * 0.5) ELSE 0 END, 1) AS total_precipitation_mm,
  round(peak_mm, 1) AS max_hourly_precipitation_mm,
  least(wet_hours, reading_count) AS wet_hours,
  reading_count
FROM wet
ORDER BY measurement_date, station_id;

COPY daily_precipitation TO 'data/daily_precipitation.parquet' (FORMAT parquet);
