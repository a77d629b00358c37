import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLError } from "yaml";
import { formatPath, type Issue, type Path, type Severity } from "../issues.js";

/** Limits that keep parsing bounded in time and memory whatever the input. */
export const sourceLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 100,
  maxAliasCount: 100,
  maxParseErrors: 20,
};

export interface Position {
  line: number;
  column: number;
}

/**
 * A parsed YAML (or JSON) document that remembers where every node came from.
 * `value` is plain JSON-like data; `locate(path)` answers the position of a node (or of its key).
 */
export class SourceDocument {
  readonly issues: Issue[] = [];
  value: unknown = undefined;
  private doc: Document.Parsed | undefined;
  private lineCounter = new LineCounter();

  private constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  static parse(text: string, file: string): SourceDocument {
    const src = new SourceDocument(file, text);
    src.load();
    return src;
  }

  /** Reads bytes as UTF-8 text, refusing binary and oversized input with an issue. */
  static fromBytes(bytes: Uint8Array, file: string): SourceDocument {
    if (bytes.byteLength > sourceLimits.maxBytes) {
      return SourceDocument.failed(
        file,
        "file-too-large",
        `file is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MiB; the limit is ${sourceLimits.maxBytes / 1024 / 1024} MiB`,
      );
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return SourceDocument.failed(file, "file-not-text", "file is not UTF-8 text (binary?)");
    }
    return SourceDocument.parse(text, file);
  }

  static failed(file: string, code: string, message: string): SourceDocument {
    const src = new SourceDocument(file, "");
    src.issues.push({ code, severity: "error", message, file, line: 0, column: 0, path: "" });
    return src;
  }

  /** True when the document could be read into a value (schema problems may still exist). */
  get readable(): boolean {
    return !this.issues.some((i) => i.severity === "error" && i.code.startsWith("yaml-")) && this.value !== undefined;
  }

  private load(): void {
    const { text } = this;
    if (text.length > sourceLimits.maxBytes) {
      this.issue("file-too-large", `file is larger than ${sourceLimits.maxBytes / 1024 / 1024} MiB`, 0);
      return;
    }
    if (text.includes("\u0000")) {
      this.issue("file-not-text", "file contains NUL bytes (binary?)", 0);
      return;
    }
    if (text.trim() === "") {
      this.pushIssue("yaml-empty", "error", "document is empty", { line: 1, column: 1 }, []);
      return;
    }
    const depth = maxNesting(text);
    if (depth > sourceLimits.maxDepth) {
      this.pushIssue(
        "yaml-too-deep",
        "error",
        `document nests ${depth} levels deep; the limit is ${sourceLimits.maxDepth}`,
        { line: 1, column: 1 },
        [],
      );
      return;
    }
    const doc = parseDocument(text, {
      lineCounter: this.lineCounter,
      version: "1.2",
      schema: "core",
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
      keepSourceTokens: false,
    });
    this.doc = doc;
    for (const e of doc.errors.slice(0, sourceLimits.maxParseErrors)) this.yamlIssue(e, "error");
    for (const w of doc.warnings.slice(0, sourceLimits.maxParseErrors)) this.yamlIssue(w, "warning");
    if (doc.errors.length > sourceLimits.maxParseErrors) {
      this.issue(
        "yaml-too-many-errors",
        `${doc.errors.length - sourceLimits.maxParseErrors} more YAML errors not shown`,
        0,
      );
    }
    if (doc.errors.length > 0) return;
    try {
      this.value = doc.toJS({ maxAliasCount: sourceLimits.maxAliasCount });
    } catch (e) {
      this.issue("yaml-alias-bomb", `document expands aliases too much: ${(e as Error).message}`, 0);
    }
  }

  private yamlIssue(e: YAMLError, severity: Severity): void {
    const code = `yaml-${e.code.toLowerCase().replaceAll("_", "-")}`;
    const message = e.message.split("\n")[0] ?? e.message;
    this.pushIssue(code, severity, message, this.lineCounter.linePos(e.pos[0]), []);
  }

  private issue(code: string, message: string, offset: number): void {
    const pos = offset > 0 ? this.lineCounter.linePos(offset) : { line: 0, col: 0 };
    this.issues.push({ code, severity: "error", message, file: this.file, line: pos.line, column: pos.col, path: "" });
  }

  private pushIssue(
    code: string,
    severity: Severity,
    message: string,
    pos: { line: number; col?: number; column?: number },
    path: Path,
  ): void {
    this.issues.push({
      code,
      severity,
      message,
      file: this.file,
      line: pos.line,
      column: pos.column ?? pos.col ?? 0,
      path: formatPath(path),
    });
  }

  /**
   * Position of the node at `path`. With `key`, the position of its key in the parent mapping
   * (where an editor should put the cursor for "this property is wrong"). Falls back to the
   * nearest existing ancestor, so every issue gets a position.
   */
  locate(path: Path, opts: { key?: boolean } = {}): Position {
    const doc = this.doc;
    if (!doc) return { line: 1, column: 1 };
    let node: unknown = doc.contents;
    let best: Position = { line: 1, column: 1 };
    const set = (n: unknown) => {
      const range = (n as Node | null)?.range;
      if (range) {
        const p = this.lineCounter.linePos(range[0]);
        best = { line: p.line, column: p.col };
      }
    };
    set(node);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return best;
        if (last && opts.key) {
          set(pair.key);
          return best;
        }
        node = pair.value;
        set(node ?? pair.key);
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
        if (node === undefined) return best;
        set(node);
      } else {
        return best;
      }
    }
    return best;
  }

  /** An issue at `path` (its key when `key`), ready to return. */
  at(path: Path, code: string, severity: Severity, message: string, opts: { key?: boolean } = {}): Issue {
    const pos = this.locate(path, opts);
    return { code, severity, message, file: this.file, line: pos.line, column: pos.column, path: formatPath(path) };
  }
}

/** Cheap upper bound of nesting (flow brackets and block indentation), checked before parsing. */
function maxNesting(text: string): number {
  let flow = 0;
  let maxFlow = 0;
  let maxIndent = 0;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === 32 || c === 45) {
        indent++;
        continue;
      }
      lineStart = false;
      if (indent > maxIndent) maxIndent = indent;
    }
    if (c === 91 || c === 123) {
      flow++;
      if (flow > maxFlow) maxFlow = flow;
    } else if (c === 93 || c === 125) flow--;
  }
  // Indentation of 2 per level is the common style; be generous so legitimate files pass.
  return Math.max(maxFlow, Math.floor(maxIndent / 4));
}
