-- Demo data for the climate.physical-risk data product.
--
-- Writes data/regional_risk_scores.parquet (8 provinces x 4 hazards x 24 monthly assessments)
-- and data/asset_risk_scores.parquet (row_count rows: row_count / 4 assets x 4 hazards).
-- Run from the product folder:
--   duckdb -c ".read data/generate.sql"
--
-- Deterministic: no random numbers; every value is a function of the row number, hashed with
-- hash(). The real pipeline runs the risk model over the temperature, precipitation and sea-level
-- products; this stand-in produces the same shape on its own so the product can be tested alone.
-- Override the defaults by setting the variables before running it (e.g.
-- SET VARIABLE row_count = 400000; SET VARIABLE as_of = DATE '2025-01-01'; for byte-identical output).
SET VARIABLE row_count = COALESCE(getvariable('row_count'), 10000);
SET VARIABLE as_of = COALESCE(getvariable('as_of'), CAST(now() AT TIME ZONE 'UTC' AS DATE));

-- Uniform pseudo-random number in [0, 1) for row `i` and stream `salt`.
CREATE OR REPLACE TEMP MACRO u(i, salt) AS (hash(i, salt) % 1000000) / 1000000.0;
CREATE OR REPLACE TEMP MACRO band(score) AS
  CASE WHEN score < 25 THEN 'low' WHEN score < 50 THEN 'medium' WHEN score < 75 THEN 'high' ELSE 'severe' END;

-- Baseline hazard per province (0-100), from the 2024 model calibration.
CREATE OR REPLACE TEMP TABLE baseline AS
SELECT * FROM (VALUES
  ('NL-NH', 'Noord-Holland', 52.60, 4.85, 'coastal_flooding', 62), ('NL-NH', 'Noord-Holland', 52.60, 4.85, 'extreme_precipitation', 44),
  ('NL-NH', 'Noord-Holland', 52.60, 4.85, 'heat_stress', 31), ('NL-NH', 'Noord-Holland', 52.60, 4.85, 'drought', 28),
  ('NL-ZH', 'Zuid-Holland', 52.00, 4.50, 'coastal_flooding', 66), ('NL-ZH', 'Zuid-Holland', 52.00, 4.50, 'extreme_precipitation', 47),
  ('NL-ZH', 'Zuid-Holland', 52.00, 4.50, 'heat_stress', 38), ('NL-ZH', 'Zuid-Holland', 52.00, 4.50, 'drought', 27),
  ('NL-ZE', 'Zeeland', 51.50, 3.85, 'coastal_flooding', 81), ('NL-ZE', 'Zeeland', 51.50, 3.85, 'extreme_precipitation', 36),
  ('NL-ZE', 'Zeeland', 51.50, 3.85, 'heat_stress', 29), ('NL-ZE', 'Zeeland', 51.50, 3.85, 'drought', 41),
  ('NL-FR', 'Fryslân', 53.10, 5.80, 'coastal_flooding', 58), ('NL-FR', 'Fryslân', 53.10, 5.80, 'extreme_precipitation', 39),
  ('NL-FR', 'Fryslân', 53.10, 5.80, 'heat_stress', 18), ('NL-FR', 'Fryslân', 53.10, 5.80, 'drought', 33),
  ('NL-UT', 'Utrecht', 52.08, 5.20, 'coastal_flooding', 12), ('NL-UT', 'Utrecht', 52.08, 5.20, 'extreme_precipitation', 49),
  ('NL-UT', 'Utrecht', 52.08, 5.20, 'heat_stress', 47), ('NL-UT', 'Utrecht', 52.08, 5.20, 'drought', 35),
  ('NL-GE', 'Gelderland', 52.05, 5.90, 'coastal_flooding', 8), ('NL-GE', 'Gelderland', 52.05, 5.90, 'extreme_precipitation', 46),
  ('NL-GE', 'Gelderland', 52.05, 5.90, 'heat_stress', 52), ('NL-GE', 'Gelderland', 52.05, 5.90, 'drought', 54),
  ('NL-LI', 'Limburg', 51.20, 5.95, 'coastal_flooding', 3), ('NL-LI', 'Limburg', 51.20, 5.95, 'extreme_precipitation', 63),
  ('NL-LI', 'Limburg', 51.20, 5.95, 'heat_stress', 58), ('NL-LI', 'Limburg', 51.20, 5.95, 'drought', 46),
  ('NL-NB', 'Noord-Brabant', 51.55, 5.10, 'coastal_flooding', 9), ('NL-NB', 'Noord-Brabant', 51.55, 5.10, 'extreme_precipitation', 45),
  ('NL-NB', 'Noord-Brabant', 51.55, 5.10, 'heat_stress', 55), ('NL-NB', 'Noord-Brabant', 51.55, 5.10, 'drought', 57)
) AS t(region_code, region_name, lat, lon, hazard, base_score);

CREATE OR REPLACE TEMP TABLE regional_risk_scores AS
WITH months AS (
  SELECT m, CAST(date_trunc('month', CAST(getvariable('as_of') AS DATE)) - to_months(23 - m) AS DATE) AS assessment_date
  FROM range(24) AS r(m)
),
scored AS (
  SELECT
    b.region_code,
    b.region_name,
    b.hazard,
    mo.assessment_date,
    hash(b.region_code, b.hazard, mo.m) AS k,
    greatest(0, least(100,
      b.base_score
      + mo.m * 0.08
      -- Heat and drought peak in summer, extreme precipitation in late summer.
      + CASE WHEN b.hazard IN ('heat_stress', 'drought') THEN 8 * cos(2 * pi() * (month(mo.assessment_date) - 7) / 12.0) ELSE 0 END
      + (u(hash(b.region_code, b.hazard, mo.m), 'noise') - 0.5) * 6)) AS raw_score
  FROM baseline AS b CROSS JOIN months AS mo
)
SELECT
  region_code,
  region_name,
  hazard,
  assessment_date,
  round(raw_score, 1) AS risk_score,
  band(round(raw_score, 1)) AS risk_band,
  'cq-physrisk 2.3.1' AS model_version
FROM scored
ORDER BY assessment_date, region_code, hazard;

CREATE OR REPLACE TEMP TABLE asset_risk_scores AS
WITH assets AS (
  SELECT
    a,
    'AS-' || lpad(CAST(100001 + a AS VARCHAR), 6, '0') AS asset_id,
    (['warehouse', 'office', 'retail_store', 'data_centre', 'distribution_hub', 'substation'])[CAST(hash(a, 'type') % 6 AS INTEGER) + 1] AS asset_type,
    (['NL-NH', 'NL-ZH', 'NL-ZE', 'NL-FR', 'NL-UT', 'NL-GE', 'NL-LI', 'NL-NB'])[CAST(hash(a, 'region') % 8 AS INTEGER) + 1] AS region_code,
    -- Replacement value between EUR 0.5 million and 40 million.
    500000 + u(a, 'value') * 39500000 AS insured_value_eur
  FROM range(getvariable('row_count') // 4) AS r(a)
)
SELECT
  x.asset_id,
  x.asset_type,
  x.region_code,
  round(b.lat + (u(x.a, 'lat') - 0.5) * 0.4, 4) AS latitude,
  round(b.lon + (u(x.a, 'lon') - 0.5) * 0.5, 4) AS longitude,
  b.hazard,
  CAST(date_trunc('month', CAST(getvariable('as_of') AS DATE)) AS DATE) AS assessment_date,
  round(greatest(0, least(100, b.base_score + (u(hash(x.a, b.hazard), 'asset') - 0.5) * 30)), 1) AS risk_score,
  band(round(greatest(0, least(100, b.base_score + (u(hash(x.a, b.hazard), 'asset') - 0.5) * 30)), 1)) AS risk_band,
  CAST(round(x.insured_value_eur * power(greatest(0, least(100, b.base_score + (u(hash(x.a, b.hazard), 'asset') - 0.5) * 30)) / 100.0, 3) * 0.004, 2) AS DECIMAL(14, 2)) AS expected_annual_loss_eur,
  'cq-physrisk 2.3.1' AS model_version
FROM assets AS x
JOIN baseline AS b USING (region_code)
ORDER BY asset_id, hazard;

COPY regional_risk_scores TO 'data/regional_risk_scores.parquet' (FORMAT parquet);
COPY asset_risk_scores TO 'data/asset_risk_scores.parquet' (FORMAT parquet);
