import type { Path } from "../issues.js";
import type { Position, SourceDocument } from "../spec/source.js";

/**
 * Where character `offset` of a CEL expression sits in the policy file. The expression is a YAML
 * scalar: a block scalar (`|`, `>`) starts on the next line at its indentation; a plain or quoted
 * one-line scalar starts at the node (plus the quote). Anything else falls back to the node.
 */
export function expressionPosition(src: SourceDocument, path: Path, expression: string, offset: number): Position {
  const node = src.locate(path);
  const lines = src.text.split("\n");
  const first = lines[node.line - 1] ?? "";
  const start = first.slice(node.column - 1);
  const before = expression.slice(0, offset);
  const lineInExpr = before.split("\n").length - 1;
  const columnInExpr = offset - (before.lastIndexOf("\n") + 1);
  if (start.startsWith("|") || start.startsWith(">")) {
    const line = lines[node.line + lineInExpr] ?? "";
    const exprLine = expression.split("\n")[lineInExpr] ?? "";
    const indent = exprLine === "" ? 0 : line.indexOf(exprLine);
    if (indent >= 0) return { line: node.line + 1 + lineInExpr, column: indent + 1 + columnInExpr };
    return node;
  }
  if (lineInExpr === 0 && !expression.includes("\n")) {
    const quote = start.startsWith('"') || start.startsWith("'") ? 1 : 0;
    // Escapes in quoted scalars shift columns; only map when the text is there verbatim.
    if (start.slice(quote, quote + expression.length) === expression)
      return { line: node.line, column: node.column + quote + columnInExpr };
  }
  return node;
}
