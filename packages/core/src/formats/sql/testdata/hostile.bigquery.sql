-- Hostile "names" 1.0.0: BigQuery DDL written by quanta export

CREATE TABLE `select` (
  `from` INT64 NOT NULL,
  `order date` DATE,
  `class` STRING OPTIONS(description = 'Text with "quotes", \'apostrophes\', `backticks`, \\ backslashes and */ --'),
  `größe` FLOAT64,
  `a"b` STRING,
  `x'y` STRING,
  `1st` BOOL,
  `type` STRING,
  `ключ` STRING,
  `a;drop table x` TIMESTAMP,
  `Order Date_2` STRING,
  PRIMARY KEY (`from`) NOT ENFORCED
) OPTIONS(description = 'A table named like a keyword; */ -- closes no comment');

CREATE TABLE `order items` (
  `def` INT64 NOT NULL,
  `interface` STRUCT<`func` STRING>,
  `package` ARRAY<INT64>,
  FOREIGN KEY (`def`) REFERENCES `select` (`from`) NOT ENFORCED
);
