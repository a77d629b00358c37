import { describe, expect, it } from "vitest";
import { portableType } from "./portable-type.js";

describe("portableType", () => {
  it.each([
    ["smallint", "SMALLINT"],
    ["integer", "INTEGER"],
    ["bigint", "BIGINT"],
    ["real", "REAL"],
    ["double precision", "DOUBLE"],
    ["boolean", "BOOLEAN"],
    ["date", "DATE"],
    ["timestamp without time zone", "TIMESTAMP"],
    ["timestamp(3) with time zone", "TIMESTAMPTZ"],
    ["time(0) without time zone", "TIME"],
    ["uuid", "UUID"],
    ["text", "VARCHAR"],
    ["character varying(20)", "VARCHAR"],
    ["character(1)", "VARCHAR"],
    ["numeric(12,2)", "DECIMAL(12,2)"],
    ["numeric(38,0)", "DECIMAL(38,0)"],
    ["numeric(40,2)", "DOUBLE"],
    ["numeric", "DOUBLE"],
    ["integer[]", "VARCHAR"],
    ["jsonb", "VARCHAR"],
    ["interval", "VARCHAR"],
    ["bytea", "VARCHAR"],
    ["shop.status", "VARCHAR"],
  ])("reads %s as %s", (type, expected) => {
    expect(portableType(type)).toBe(expected);
  });
});
