/**
 * The structure of ODCS v3.0.2 and v2.2.2 documents as JSON Schemas, written for the tests from
 * the official schemas (v3.0.2: bitol-io/open-data-contract-standard schema/odcs-json-schema-
 * v3.0.2.json; v2.2.2: the v2.2.2 reference and full example). Quanta vendors only the v3.1.0
 * schema; these check what an older-version export must respect: the keys each element may have,
 * the logical types and their options, library rules with `rule`, a team as a list.
 */

const anyValue = {};

const qualityV30 = {
  type: "object",
  properties: {
    type: { enum: ["text", "library", "sql", "custom"] },
    dimension: {
      enum: ["accuracy", "completeness", "conformity", "consistency", "coverage", "timeliness", "uniqueness"],
    },
  },
  allOf: [
    // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword
    { if: { properties: { type: { const: "library" } } }, then: { required: ["rule"] } },
    // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword
    { if: { properties: { type: { const: "sql" } }, required: ["type"] }, then: { required: ["query"] } },
    {
      if: { properties: { type: { const: "custom" } }, required: ["type"] },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword
      then: { required: ["engine", "implementation"] },
    },
  ],
};

const boundsV30 = (bound: object) => ({
  minimum: bound,
  maximum: bound,
  exclusiveMinimum: { type: "boolean" },
  exclusiveMaximum: { type: "boolean" },
});

const optionsV30: Record<string, object> = {
  string: {
    minLength: { type: "integer", minimum: 0 },
    maxLength: { type: "integer", minimum: 0 },
    pattern: { type: "string" },
    format: { type: "string" },
  },
  date: { format: { type: "string" }, ...boundsV30({ type: "string" }) },
  integer: {
    multipleOf: { type: "number" },
    format: { enum: ["i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128"] },
    ...boundsV30({ type: "number" }),
  },
  number: { multipleOf: { type: "number" }, format: { enum: ["f32", "f64"] }, ...boundsV30({ type: "number" }) },
  object: { maxProperties: { type: "integer" }, minProperties: { type: "integer" }, required: { type: "array" } },
  array: { maxItems: { type: "integer" }, minItems: { type: "integer" }, uniqueItems: { type: "boolean" } },
  boolean: {},
};

const elementKeys = {
  name: { type: "string" },
  physicalType: { type: "string" },
  description: { type: "string" },
  businessName: { type: "string" },
  authoritativeDefinitions: {
    type: "array",
    items: {
      type: "object",
      required: ["url", "type"],
      properties: { url: { type: "string" }, type: { type: "string" } },
    },
  },
  tags: { type: "array", items: { type: "string" } },
  customProperties: { type: "array", items: { type: "object", properties: { property: { type: "string" } } } },
};

const propertyKeys = {
  ...elementKeys,
  primaryKey: { type: "boolean" },
  primaryKeyPosition: { type: "integer" },
  logicalType: { enum: ["string", "date", "number", "integer", "object", "array", "boolean"] },
  logicalTypeOptions: { type: "object" },
  required: { type: "boolean" },
  unique: { type: "boolean" },
  partitioned: { type: "boolean" },
  partitionKeyPosition: { type: "integer" },
  classification: { type: "string" },
  encryptedName: { type: "string" },
  transformSourceObjects: { type: "array", items: { type: "string" } },
  transformLogic: { type: "string" },
  transformDescription: { type: "string" },
  examples: { type: "array" },
  criticalDataElement: { type: "boolean" },
  quality: { type: "array", items: { $ref: "#/$defs/quality" } },
  properties: { type: "array", items: { $ref: "#/$defs/property" } },
  items: { $ref: "#/$defs/item" },
};

const optionRules = Object.entries(optionsV30).map(([type, properties]) => ({
  if: { properties: { logicalType: { const: type } }, required: ["logicalType"] },
  // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword
  then: { properties: { logicalTypeOptions: { type: "object", properties, additionalProperties: false } } },
}));

export const odcsV302Shape = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["version", "apiVersion", "kind", "id", "status"],
  additionalProperties: false,
  properties: {
    version: { type: "string" },
    kind: { const: "DataContract" },
    apiVersion: { const: "v3.0.2" },
    id: { type: "string" },
    name: { type: "string" },
    tenant: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    status: { type: "string" },
    servers: { type: "array", items: { type: "object", required: ["server", "type"] } },
    dataProduct: { type: "string" },
    description: {
      type: "object",
      additionalProperties: false,
      properties: {
        usage: { type: "string" },
        purpose: { type: "string" },
        limitations: { type: "string" },
        authoritativeDefinitions: elementKeys.authoritativeDefinitions,
        customProperties: elementKeys.customProperties,
      },
    },
    domain: { type: "string" },
    schema: { type: "array", items: { $ref: "#/$defs/object" } },
    support: {
      type: "array",
      items: {
        type: "object",
        required: ["channel", "url"],
        additionalProperties: false,
        properties: {
          channel: { type: "string" },
          url: { type: "string" },
          description: { type: "string" },
          tool: { type: "string" },
          scope: { type: "string" },
          invitationUrl: { type: "string" },
        },
      },
    },
    price: { type: "object" },
    team: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        properties: {
          username: { type: "string" },
          role: { type: "string" },
          dateIn: { type: "string" },
          dateOut: { type: "string" },
          replacedByUsername: { type: "string" },
        },
      },
    },
    roles: { type: "array", items: { type: "object", required: ["role"] } },
    slaDefaultElement: { type: "string" },
    slaProperties: {
      type: "array",
      items: {
        type: "object",
        required: ["property", "value"],
        additionalProperties: false,
        properties: {
          property: { type: "string" },
          value: { type: ["string", "number", "boolean", "null"] },
          valueExt: anyValue,
          unit: { type: "string" },
          element: { type: "string" },
          driver: { type: "string" },
        },
      },
    },
    authoritativeDefinitions: elementKeys.authoritativeDefinitions,
    customProperties: elementKeys.customProperties,
    contractCreatedTs: { type: "string" },
  },
  $defs: {
    quality: qualityV30,
    object: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        ...elementKeys,
        logicalType: { const: "object" },
        physicalName: { type: "string" },
        dataGranularityDescription: { type: "string" },
        properties: { type: "array", items: { $ref: "#/$defs/property" } },
        quality: { type: "array", items: { $ref: "#/$defs/quality" } },
      },
    },
    property: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: propertyKeys,
      allOf: optionRules,
    },
    item: { type: "object", additionalProperties: false, properties: propertyKeys, allOf: optionRules },
  },
};

const qualityV22 = {
  type: "object",
  properties: {
    code: { type: "string" },
    templateName: { type: "string" },
    description: { type: "string" },
    toolName: { type: "string" },
    toolRuleName: { type: "string" },
    dimension: { type: "string" },
    type: { type: "string" },
    severity: { type: "string" },
    businessImpact: { type: "string" },
    scheduleCronExpression: { type: "string" },
    customProperties: elementKeys.customProperties,
  },
};

export const odcsV222Shape = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["kind", "apiVersion", "uuid", "version", "dataset"],
  properties: {
    kind: { const: "DataContract" },
    apiVersion: { const: "v2.2.2" },
    uuid: { type: "string" },
    version: { type: "string" },
    status: { type: "string" },
    quantumName: { type: "string" },
    datasetDomain: { type: "string" },
    tenant: { type: "string" },
    description: {
      type: "object",
      additionalProperties: false,
      properties: { purpose: { type: "string" }, usage: { type: "string" }, limitations: { type: "string" } },
    },
    productDl: { type: "string" },
    productSlackChannel: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    dataset: {
      type: "array",
      items: {
        type: "object",
        required: ["table"],
        additionalProperties: false,
        properties: {
          table: { type: "string" },
          physicalName: { type: "string" },
          priority: { type: "string" },
          description: { type: "string" },
          authoritativeDefinitions: elementKeys.authoritativeDefinitions,
          dataGranularity: { type: "string" },
          tags: { type: "array", items: { type: "string" } },
          columns: {
            type: "array",
            items: {
              type: "object",
              required: ["column"],
              additionalProperties: false,
              properties: {
                column: { type: "string" },
                isPrimaryKey: { type: "boolean" },
                primaryKeyPosition: { type: "integer" },
                businessName: { type: "string" },
                logicalType: { type: "string" },
                physicalType: { type: "string" },
                isNullable: { type: "boolean" },
                isUnique: { type: "boolean" },
                description: { type: "string" },
                partitionStatus: { type: "boolean" },
                partitionKeyPosition: { type: "integer" },
                clusterStatus: { type: "boolean" },
                clusterKeyPosition: { type: "integer" },
                criticalDataElementStatus: { type: "boolean" },
                tags: { type: "array", items: { type: "string" } },
                classification: { type: "string" },
                encryptedColumnName: { type: "string" },
                transformSourceTables: { type: "array", items: { type: "string" } },
                transformLogic: { type: "string" },
                transformDescription: { type: "string" },
                sampleValues: { type: "array" },
                authoritativeDefinitions: elementKeys.authoritativeDefinitions,
                quality: { type: "array", items: qualityV22 },
                customProperties: elementKeys.customProperties,
              },
            },
          },
          quality: { type: "array", items: qualityV22 },
          customProperties: elementKeys.customProperties,
        },
      },
    },
    price: { type: "object" },
    stakeholders: { type: "array", items: { type: "object", properties: { username: { type: "string" } } } },
    roles: { type: "array", items: { type: "object", required: ["role"] } },
    slaDefaultColumn: { type: "string" },
    slaProperties: {
      type: "array",
      items: {
        type: "object",
        required: ["property", "value"],
        additionalProperties: false,
        properties: {
          property: { type: "string" },
          value: anyValue,
          valueExt: anyValue,
          unit: { type: "string" },
          column: { type: "string" },
          driver: { type: "string" },
        },
      },
    },
    contractCreatedTs: { type: "string" },
    customProperties: elementKeys.customProperties,
  },
  // v2.2 has root keys for connection details (server, database, driver ...) besides these.
  additionalProperties: false,
};
