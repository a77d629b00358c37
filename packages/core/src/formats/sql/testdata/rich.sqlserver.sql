-- Shop orders 2.1.0: SQL Server DDL written by quanta export

CREATE TABLE [customers] (
  [customer_id] BIGINT NOT NULL,
  [email] VARCHAR(254) NOT NULL,
  [segment] NVARCHAR(MAX) CHECK ([segment] IN (N'retail', N'business', N'vip')),
  [signed_up] DATE NOT NULL,
  PRIMARY KEY ([customer_id])
);

EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'One row per customer account.', @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'customers';
EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'Customer number.', @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'customers', @level2type = N'COLUMN', @level2name = N'customer_id';
EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'Marketing segment.', @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'customers', @level2type = N'COLUMN', @level2name = N'segment';

CREATE TABLE [orders] (
  [order_id] VARCHAR(20) NOT NULL CHECK (LEN([order_id]) >= 12 AND LEN([order_id]) <= 12),
  [customer_id] BIGINT NOT NULL,
  [ordered_at] DATETIME2 NOT NULL,
  [delivery_time] TIME,
  [total] DECIMAL(12,2) NOT NULL CHECK ([total] >= 0 AND [total] <= 100000),
  [quantity] BIGINT CHECK ([quantity] >= 1),
  [gift] BIT,
  [status] NVARCHAR(MAX) NOT NULL CHECK ([status] IN (N'placed', N'shipped', N'delivered', N'returned')),
  [shipping_address] NVARCHAR(MAX),
  [tags] NVARCHAR(MAX),
  [lines] NVARCHAR(MAX),
  PRIMARY KEY ([order_id]),
  FOREIGN KEY ([customer_id]) REFERENCES [customers] ([customer_id])
);

EXEC sp_addextendedproperty @name = N'MS_Description', @value = N'One row per order.', @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = N'orders';
