import { execFile } from "node:child_process";
import { realpath } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { sourceLimits } from "@quanta/core";
import { CommandError } from "./exit-codes.js";

/** Bounds on one git call: a hung or huge `git show` must not hang the console. */
const gitLimits = { timeoutMs: 30_000 };

interface GitResult {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
  tooLarge: boolean;
}

/** Runs git with an argument list (never a shell), in `cwd`. */
function git(cwd: string, args: string[], maxBuffer = 1024 * 1024): Promise<GitResult> {
  return new Promise((done, fail) => {
    execFile(
      "git",
      args,
      { cwd, encoding: "buffer", maxBuffer, timeout: gitLimits.timeoutMs, windowsHide: true },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
        if (err?.code === "ENOENT") {
          fail(new CommandError("git is not installed (needed for --base)"));
          return;
        }
        if (err?.killed && err.code !== "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
          fail(new CommandError(`git ${args[0]} took longer than ${gitLimits.timeoutMs / 1000} s`));
          return;
        }
        done({
          ok: !error,
          stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout ?? ""),
          stderr: (Buffer.isBuffer(stderr) ? stderr.toString("utf8") : String(stderr ?? "")).trim(),
          tooLarge: err?.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER",
        });
      },
    );
  });
}

/**
 * The bytes of `file` (a path as the user typed it, relative to `cwd`) at git revision `rev`,
 * like `git show <rev>:<path from the repository root>`. A missing revision, a file absent at that
 * revision or a folder outside any repository is a `CommandError` (exit 2) that says which.
 */
export async function readAtRevision(
  cwd: string,
  rev: string,
  file: string,
): Promise<{ bytes: Uint8Array; shown: string }> {
  if (rev === "" || rev.startsWith("-") || /[\s:]/.test(rev) || rev.includes("\0")) {
    throw new CommandError(`invalid git revision ${JSON.stringify(rev)}`);
  }
  const absolute = resolve(cwd, file);
  const top = await git(cwd, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) throw new CommandError(`${cwd} is not inside a git repository (needed for --base ${rev})`);
  const root = await realpath(top.stdout.toString("utf8").trim());
  // The file may not exist in the working tree any more; resolve its folder's real path instead.
  const real = await realpath(absolute).catch(() => absolute);
  const inRepo = relative(root, real);
  if (inRepo === "" || inRepo.startsWith("..") || resolve(root, inRepo) !== real) {
    throw new CommandError(`${file} is not inside the git repository ${root}`);
  }
  const path = inRepo.split(sep).join("/");
  const commit = await git(cwd, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (!commit.ok) throw new CommandError(`git revision ${rev} not found`);
  const spec = `${rev}:${path}`;
  const exists = await git(cwd, ["cat-file", "-e", spec]);
  if (!exists.ok) throw new CommandError(`${path} does not exist at git revision ${rev}`);
  const shown = await git(cwd, ["cat-file", "blob", spec], sourceLimits.maxBytes + 1);
  if (shown.tooLarge) {
    throw new CommandError(`${spec} is larger than ${sourceLimits.maxBytes / 1024 / 1024} MiB`);
  }
  if (!shown.ok) throw new CommandError(`cannot read ${spec}: ${shown.stderr || "git failed"}`);
  return { bytes: shown.stdout, shown: spec };
}
