-- Hostile "names" 1.0.0: SQL Server DDL written by quanta export

CREATE TABLE [select] (
  [from] BIGINT NOT NULL,
  [order date] DATE,
  [class] NVARCHAR(MAX),
  [größe] FLOAT,
  [a"b] NVARCHAR(MAX),
  [x'y] NVARCHAR(MAX),
  [1st] BIT,
  [type] NVARCHAR(MAX) CHECK ([type] IN (N'it''s', N'say "hi"', N'a\b')),
  [ключ] NVARCHAR(MAX),
  [a;drop table x] DATETIME2,
  [Order Date_2] NVARCHAR(MAX),
  PRIMARY KEY ([from])
);

EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'A table named like a keyword; */ -- closes no comment', @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'select';
EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'Text with "quotes", ''apostrophes'', `backticks`, \ backslashes and */ --', @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'select', @level2type = N'COLUMN', @level2name = N'class';

CREATE TABLE [order items] (
  [def] BIGINT NOT NULL,
  [interface] NVARCHAR(MAX),
  [package] NVARCHAR(MAX),
  FOREIGN KEY ([def]) REFERENCES [select] ([from])
);
