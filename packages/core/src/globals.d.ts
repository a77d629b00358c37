// The few web-platform globals core uses; present in browsers and Node alike.
// (No DOM lib on purpose: core must not touch `document`, `fetch` or the file system.)
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
