import type { Issue, Severity } from "../issues.js";
import { type Position, SourceDocument } from "../spec/source.js";
import { formatLimits, type ImportInput } from "./format.js";

/**
 * Text in a format that is not YAML (SQL, Protobuf, DBML, Avro IDL) with positions from offsets,
 * so that what an importer notices lands on `file:line:column` like every other issue.
 */
export class TextSource {
  readonly issues: Issue[] = [];
  private lineStarts: number[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** 1-based line and column of an offset into the text. */
  position(offset: number): Position {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    const at = Math.max(0, Math.min(offset, this.text.length));
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (starts[lo] ?? 0) + 1 };
  }

  /** An issue at an offset or at a line and column (1-based); `path` names the element concerned. */
  at(where: number | Position, code: string, severity: Severity, message: string, path = ""): Issue {
    const { line, column } = typeof where === "number" ? this.position(where) : where;
    return { code, severity, message, file: this.file, line, column, path };
  }

  report(where: number | Position, code: string, severity: Severity, message: string, path = ""): void {
    this.issues.push(this.at(where, code, severity, message, path));
  }

  warn(where: number | Position, code: string, message: string, path = ""): void {
    this.report(where, code, "warning", message, path);
  }

  error(where: number | Position, code: string, message: string, path = ""): void {
    this.report(where, code, "error", message, path);
  }
}

/** An issue about the whole input (no position): too large, not text, wrong format. */
export function inputIssue(file: string, code: string, message: string, severity: Severity = "error"): Issue {
  return { code, severity, message, file, line: 0, column: 0, path: "" };
}

/**
 * The input as UTF-8 text, or the reason it is not: larger than the limit, not valid UTF-8, or
 * holding NUL bytes (a binary file given under a text format).
 */
export function readText(input: ImportInput, formatTitle: string): TextSource | Issue {
  if (input.bytes.byteLength > formatLimits.maxBytes) {
    return inputIssue(
      input.file,
      "file-too-large",
      `file is ${(input.bytes.byteLength / 1024 / 1024).toFixed(1)} MiB; the limit is ${formatLimits.maxBytes / 1024 / 1024} MiB`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input.bytes);
  } catch {
    return inputIssue(input.file, "file-not-text", `not UTF-8 text, so not ${formatTitle} (a binary file?)`);
  }
  if (text.includes("\u0000")) {
    return inputIssue(input.file, "file-not-text", `holds NUL bytes, so not ${formatTitle} (a binary file?)`);
  }
  return new TextSource(input.file, text.startsWith("\uFEFF") ? text.slice(1) : text);
}

const parsed = new WeakMap<ImportInput, SourceDocument>();

/**
 * The input parsed as YAML or JSON with positions; its issues say why when it cannot be read.
 * Parsed once per input, however many formats' `detect` look at it.
 */
export function readDocument(input: ImportInput): SourceDocument {
  let src = parsed.get(input);
  if (!src) {
    src = SourceDocument.fromBytes(input.bytes, input.file);
    parsed.set(input, src);
  }
  return src;
}

/** Whether bytes begin with a signature (`PAR1`, a zip's `PK\x03\x04`), for `detect`. */
export function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}
