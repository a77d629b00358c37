import type { DataContract } from "../spec/odcs/model.js";
import type { DataProduct } from "../spec/odps/model.js";
import { SourceDocument } from "../spec/source.js";
import { type PolicyDocument, type PolicySubject, policyDocument } from "./policy-subject.js";

/** A small product that meets every built-in rule with default parameters. */
export const goodProduct = `apiVersion: v1.0.0
kind: DataProduct
id: sales.orders
name: Orders
version: 1.0.0
status: active
domain: sales
description:
  purpose: Every order of the web shop, for revenue reporting.
outputPorts:
  - name: orders
    version: 1.0.0
    contractId: sales.orders.orders
support:
  - channel: "#sales-data"
    url: https://chat.example/sales-data
team:
  name: Sales data
  members:
    - username: ann@example.com
      role: owner
`;

export const goodContract = `apiVersion: v3.1.0
kind: DataContract
id: sales.orders.orders
version: 1.0.0
status: active
description:
  purpose: One row per order with its amount and customer.
schema:
  - name: orders
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    properties:
      - name: order_id
        businessName: Order number
        description: The order number.
        logicalType: string
        classification: internal
      - name: customer_email
        businessName: Customer e-mail
        description: Where the confirmation went.
        logicalType: string
        classification: restricted
        tags: [pii]
slaProperties:
  - property: freshness
    value: 1
    unit: d
  - property: retention
    value: 7
    unit: y
  - property: availability
    value: 99.9
    unit: percent
`;

const doc = <T extends DataProduct | DataContract>(text: string, file: string): PolicyDocument<T> =>
  policyDocument<T>(SourceDocument.parse(text, file));

/** A subject from YAML texts; `previousContract` becomes the last published version of the contract. */
export function subjectOf(
  product = goodProduct,
  contracts: string[] = [goodContract],
  options: { previousContract?: string; now?: Date; domain?: string } = {},
): PolicySubject {
  return {
    product: doc<DataProduct>(product, "orders.odps.yaml"),
    contracts: contracts.map((c, i) => doc<DataContract>(c, `contracts/c${i}.odcs.yaml`)),
    ...(options.previousContract
      ? { previous: { contracts: [doc<DataContract>(options.previousContract, "previous/c0.odcs.yaml")] } }
      : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.domain ? { domain: options.domain } : {}),
  };
}
