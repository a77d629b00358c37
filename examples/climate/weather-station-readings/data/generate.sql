-- Demo data for the climate.weather-station-readings data product.
--
-- Writes data/stations.parquet and data/readings.parquet (hourly readings of 48 stations in eight
-- Dutch provinces). Run from the product folder:
--   duckdb -c ".read data/generate.sql"
--
-- Deterministic: no random numbers; every value is a function of the row number, hashed with hash().
-- The readings end at `as_of`, so freshness checks pass right after generation. Set the variables
-- before running this script to override the defaults, e.g. `SET VARIABLE row_count = 1000000;`
-- for a benchmark or `SET VARIABLE as_of = TIMESTAMP '2025-01-01 00:00:00';` for byte-identical
-- output.
SET VARIABLE row_count = COALESCE(getvariable('row_count'), 10000);
SET VARIABLE as_of = COALESCE(getvariable('as_of'), date_trunc('hour', now() AT TIME ZONE 'UTC'));

-- Uniform pseudo-random number in [0, 1) for row `i` and stream `salt`.
CREATE OR REPLACE TEMP MACRO u(i, salt) AS (hash(i, salt) % 1000000) / 1000000.0;

CREATE OR REPLACE TEMP TABLE regions AS
SELECT * FROM (VALUES
  (0, 'NL-NH', 'Noord-Holland', 52.60, 4.85, true),
  (1, 'NL-ZH', 'Zuid-Holland', 52.00, 4.50, true),
  (2, 'NL-ZE', 'Zeeland', 51.50, 3.85, true),
  (3, 'NL-FR', 'Fryslân', 53.10, 5.80, true),
  (4, 'NL-UT', 'Utrecht', 52.08, 5.20, false),
  (5, 'NL-GE', 'Gelderland', 52.05, 5.90, false),
  (6, 'NL-LI', 'Limburg', 51.20, 5.95, false),
  (7, 'NL-NB', 'Noord-Brabant', 51.55, 5.10, false)
) AS t(region_no, region_code, region_name, lat, lon, region_is_coastal);

-- Six stations per province; in coastal provinces every other station has a tide gauge.
CREATE OR REPLACE TEMP TABLE stations AS
SELECT
  'WS-' || lpad(CAST(1001 + s.n AS VARCHAR), 4, '0') AS station_id,
  r.region_name || ' ' || (['Noord', 'Oost', 'Zuid', 'West', 'Centrum', 'Haven'])[(s.n // 8) + 1] AS station_name,
  r.region_code,
  r.region_name,
  round(r.lat + (u(s.n, 'lat') - 0.5) * 0.4, 4) AS latitude,
  round(r.lon + (u(s.n, 'lon') - 0.5) * 0.5, 4) AS longitude,
  round(CASE WHEN r.region_no = 6 THEN 50 + u(s.n, 'elev') * 250 ELSE -4 + u(s.n, 'elev') * 30 END, 1) AS elevation_m,
  r.region_is_coastal AND (s.n // 8) % 2 = 1 AS is_coastal,
  DATE '1995-01-01' + CAST(u(s.n, 'since') * 9000 AS INTEGER) AS commissioned_on,
  s.n AS station_no
FROM range(48) AS s(n)
JOIN regions AS r ON r.region_no = s.n % 8;

CREATE OR REPLACE TEMP TABLE readings AS
WITH grid AS (
  SELECT
    i,
    i % 48 AS station_no,
    getvariable('as_of') - to_hours(CAST(ceil(getvariable('row_count') / 48.0) - i // 48 AS BIGINT)) AS reading_ts
  FROM range(getvariable('row_count')) AS g(i)
),
base AS (
  SELECT
    g.i,
    s.station_id,
    g.reading_ts,
    s.is_coastal,
    s.region_code,
    dayofyear(g.reading_ts) AS doy,
    hour(g.reading_ts) AS hod,
    epoch(g.reading_ts) / 3600.0 AS hours_since_epoch
  FROM grid AS g
  JOIN stations AS s USING (station_no)
)
SELECT
  station_id,
  reading_ts,
  CASE WHEN hash(i, 'gap') % 400 = 0 THEN NULL ELSE round(
    10.5 - 7 * cos(2 * pi() * (doy - 15) / 365.0)
    + (CASE WHEN is_coastal THEN 2.5 ELSE 4.0 END) * sin(2 * pi() * (hod - 9) / 24.0)
    + (u(i, 'temp') - 0.5) * 3, 1) END AS temperature_c,
  CASE WHEN u(i, 'wet') < 0.12 THEN round(least(40, 0.1 - ln(1 - u(i, 'rain')) * 1.2), 1) ELSE 0.0 END AS precipitation_mm,
  round(1.5 + 7 * pow(u(i, 'wind'), 1.5) + CASE WHEN is_coastal THEN 2 ELSE 0 END, 1) AS wind_speed_ms,
  CAST(360 + 225 + (u(i, 'dir') - 0.5) * 200 AS INTEGER) % 360 AS wind_direction_deg,
  round(1013 + 14 * sin(2 * pi() * hours_since_epoch / 127.0) + (u(i, 'hpa') - 0.5) * 4, 1) AS pressure_hpa,
  CASE WHEN is_coastal THEN round(
    0.05 + (CASE WHEN region_code = 'NL-ZE' THEN 1.6 ELSE 0.9 END) * sin(2 * pi() * hours_since_epoch / 12.42)
    + (u(i, 'surge') - 0.5) * 0.3, 2) END AS sea_level_m,
  CASE
    WHEN hash(i, 'gap') % 400 = 0 THEN 'missing'
    WHEN hash(i, 'qc') % 1000 < 8 THEN 'suspect'
    WHEN hash(i, 'qc') % 1000 < 20 THEN 'estimated'
    ELSE 'ok'
  END AS quality_flag
FROM base
ORDER BY reading_ts, station_id;

COPY (SELECT * EXCLUDE (station_no) FROM stations ORDER BY station_id)
  TO 'data/stations.parquet' (FORMAT parquet);
COPY readings TO 'data/readings.parquet' (FORMAT parquet);
