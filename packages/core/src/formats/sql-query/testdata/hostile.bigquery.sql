SELECT
  `from`,
  `order date`,
  `class`,
  `größe`,
  `a"b`,
  `x'y`,
  `1st`,
  `type`,
  `ключ`,
  `a;drop table x`,
  `Order Date_2`
FROM `select`;

SELECT
  `def`,
  `interface`,
  `package`
FROM `order items`;
