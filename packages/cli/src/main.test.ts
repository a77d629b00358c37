import { execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bufferIo } from "./buffer-io.js";
import { main } from "./main.js";

const bin = resolve(import.meta.dirname, "../bin/quanta.js");

describe("quanta", () => {
  it("prints help and exits 0", async () => {
    const io = bufferIo();
    expect(await main(["--help"], io)).toBe(0);
    expect(io.stdout()).toContain("Usage: quanta");
  });

  it("exits 2 with help on an unknown command or option", async () => {
    const io = bufferIo();
    expect(await main(["frobnicate"], io)).toBe(2);
    expect(io.stderr()).toMatch(/unknown command|too many arguments/);
    const io2 = bufferIo();
    expect(await main(["--no-such-flag"], io2)).toBe(2);
    expect(io2.stderr()).toContain("unknown option");
  });

  it("runs as a real process from the built binary", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, "--version"]);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("ends quietly when the reader closes the pipe early (quanta policy list | head)", async () => {
    const child = spawn(process.execPath, [bin, "policy", "list"], { stdio: ["ignore", "pipe", "pipe"] });
    // Closed before the console writes a byte: its first write to stdout fails with EPIPE.
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((done) => child.once("close", done));
    expect({ code, err }).toEqual({ code: 0, err: "" });
  });

  it("keeps the command's own exit code when the pipe closes early (quanta lint bad | head)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quanta-epipe-"));
    writeFileSync(
      join(dir, "bad.odcs.yaml"),
      "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: one\nstatus: active\n",
    );
    const child = spawn(process.execPath, [bin, "lint", "bad.odcs.yaml"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.once("close", done));
    expect(code).toBe(1);
  });
});
