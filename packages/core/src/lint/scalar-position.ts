import type { Path } from "../issues.js";
import type { Position, SourceDocument } from "../spec/source.js";

/**
 * Maps an offset inside a string value back to the file: exact for single-line plain or quoted
 * scalars and for literal blocks (`|`), which is how queries are written. Anything else (folded
 * blocks, escapes) returns undefined and the caller points at the value itself.
 */
export function positionInScalar(src: SourceDocument, path: Path, value: string, offset: number): Position | undefined {
  const start = src.locate(path);
  const lines = src.text.split(/\r?\n/);
  const header = lines[start.line - 1];
  if (header === undefined) return undefined;
  const before = value.slice(0, offset);
  const lineInValue = before.split("\n").length - 1;
  const columnInLine = offset - (before.lastIndexOf("\n") + 1);
  const valueLine = value.split("\n")[lineInValue] ?? "";
  const head = header.slice(start.column - 1);
  if (/^[|][-+0-9]*\s*(#.*)?$/.test(head)) {
    const fileLine = lines[start.line + lineInValue];
    if (fileLine === undefined) return undefined;
    const indent = fileLine.length - valueLine.length;
    if (indent < 0 || fileLine.slice(indent) !== valueLine) return undefined;
    return { line: start.line + 1 + lineInValue, column: indent + columnInLine + 1 };
  }
  if (value.includes("\n")) return undefined;
  const quote = head[0] === '"' || head[0] === "'" ? 1 : 0;
  const column = start.column + quote + offset;
  // Verify: escapes or folding would shift the text; then do not guess.
  if (header.slice(start.column - 1 + quote, start.column - 1 + quote + value.length) !== value) return undefined;
  return { line: start.line, column };
}
