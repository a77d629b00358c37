import type { Format } from "../format.js";
import { readText } from "../text-source.js";

/** Text that starts like a .proto file, for detection without a `--format`. */
function looksLikeProto(input: { file: string; bytes: Uint8Array }): boolean {
  if (/\.proto$/i.test(input.file)) return true;
  const head = new TextDecoder().decode(input.bytes.subarray(0, 4096));
  return /^\s*(\/\/[^\n]*\n\s*)*syntax\s*=\s*"proto[23]"\s*;/.test(head);
}

export const format: Format = {
  name: "protobuf",
  title: "Protocol Buffers",
  importer: {
    description:
      "A .proto file (proto2 or proto3) to ODCS v3.1.0: messages, nested messages, enums, repeated, map, oneof",
    target: "odcs",
    input: "text",
    detect: looksLikeProto,
    run: async (input) => {
      const src = readText(input, "a .proto file");
      if (!("text" in src)) return { value: {}, issues: [src] };
      const { importProtobuf } = await import("./import.js");
      return importProtobuf(src);
    },
  },
  exporter: {
    description: "A proto3 file with one message per schema object, enums from value sets",
    options: [
      { name: "schema", description: "The schema object to export (its name or physical name) as the only message" },
      { name: "package", description: "The proto package of the messages (dotted names)" },
    ],
    run: async (input) => {
      const { exportProtobuf } = await import("./export.js");
      return exportProtobuf(input);
    },
  },
};
