SELECT
  "from",
  "order date",
  "class",
  "größe",
  "a""b",
  "x'y",
  "1st",
  "type",
  "ключ",
  "a;drop table x",
  "Order Date"
FROM "select";

SELECT
  "def",
  "interface",
  "package"
FROM "order items";
