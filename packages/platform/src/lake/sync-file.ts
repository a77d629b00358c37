import { open } from "node:fs/promises";

/**
 * Flushes a written file to the disk, so a version made current after it never lists a file a
 * power loss could leave short (the commit is durable in the store; the file must be too).
 */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
