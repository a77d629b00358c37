-- Hostile "names" 1.0.0: MySQL DDL written by quanta export

CREATE TABLE `select` (
  `from` BIGINT NOT NULL,
  `order date` DATE,
  `class` TEXT COMMENT 'Text with "quotes", \'apostrophes\', `backticks`, \\ backslashes and */ --',
  `größe` DOUBLE,
  `a"b` TEXT,
  `x'y` TEXT,
  `1st` BOOLEAN,
  `type` TEXT CHECK (`type` IN ('it\'s', 'say "hi"', 'a\\b')),
  `ключ` TEXT,
  `a;drop table x` DATETIME,
  `Order Date_2` TEXT,
  PRIMARY KEY (`from`)
) COMMENT = 'A table named like a keyword; */ -- closes no comment';

CREATE TABLE `order items` (
  `def` BIGINT NOT NULL,
  `interface` JSON,
  `package` JSON,
  FOREIGN KEY (`def`) REFERENCES `select` (`from`)
);
