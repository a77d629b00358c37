-- Demo data for the climate.sea-level data product.
--
-- Writes data/daily_sea_level.parquet: one row per coastal station (tide gauge) and day, ending
-- yesterday (UTC). Run from the product folder:
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

CREATE OR REPLACE TEMP TABLE gauges AS
SELECT row_number() OVER (ORDER BY station_id) - 1 AS gauge_no, * FROM stations WHERE is_coastal;

CREATE OR REPLACE TEMP TABLE daily_sea_level AS
WITH grid AS (
  SELECT
    i,
    i % 12 AS gauge_no,
    CAST(getvariable('as_of') AS DATE) - CAST(getvariable('row_count') // 12 - i // 12 AS INTEGER) AS measurement_date
  -- Whole days only, so every gauge reports on every day.
  FROM range(getvariable('row_count') // 12 * 12) AS g(i)
),
day AS (
  SELECT
    g.i,
    s.station_id,
    s.region_code,
    g.measurement_date,
    -- Half the tidal range: large in the Zeeland estuaries, small along the Wadden coast.
    CASE s.region_code WHEN 'NL-ZE' THEN 1.7 WHEN 'NL-FR' THEN 1.0 ELSE 0.85 END
      * (0.8 + 0.2 * cos(2 * pi() * epoch(g.measurement_date) / 86400.0 / 14.77)) AS half_range_m,
    -- Storm surges lift the daily mean in autumn and winter; sea level rises about 3 mm a year.
    0.03 * (year(g.measurement_date) - 2000) / 10.0
      + (u(g.i, 'surge') - 0.5) * 0.25
      + CASE WHEN u(g.i, 'storm') < 0.04 THEN 0.6 ELSE 0 END AS anomaly_m
  FROM grid AS g
  JOIN gauges AS s USING (gauge_no)
)
SELECT
  station_id,
  region_code,
  measurement_date,
  round(0.05 + anomaly_m, 2) AS mean_water_level_m,
  round(0.05 + anomaly_m + half_range_m * (1 + u(i, 'hw') * 0.15), 2) AS high_water_m,
  round(0.05 + anomaly_m - half_range_m * (1 + u(i, 'lw') * 0.15), 2) AS low_water_m,
  round(anomaly_m, 2) AS anomaly_m,
  CAST(144 - CASE WHEN hash(i, 'gap') % 30 = 0 THEN hash(i, 'gaps') % 12 ELSE 0 END AS INTEGER) AS sample_count
FROM day
ORDER BY measurement_date, station_id;

COPY daily_sea_level TO 'data/daily_sea_level.parquet' (FORMAT parquet);
