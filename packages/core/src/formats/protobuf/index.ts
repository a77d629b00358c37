import type { Format } from "../format.js";

export const format: Format = { name: "protobuf", title: "Protocol Buffers" };
