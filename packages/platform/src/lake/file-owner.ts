import { hostname } from "node:os";

/**
 * The process that writes a file or folder: host, pid and start time. Written into the names of
 * temporary files and the rows of staged versions, so start-up recovery never removes what a live
 * process on this host is writing, and leaves another host's recent work to a grace period
 * (replicas may share one data directory or storage root).
 */
export interface FileOwner {
  host: string;
  pid: number;
  started: number;
}

export const thisProcess: FileOwner = {
  host: hostname().replace(/[^A-Za-z0-9.-]/g, "-") || "host",
  pid: process.pid,
  started: Math.round(performance.timeOrigin),
};

export const ownerTag = (o: FileOwner) => `${o.host}_${o.pid}_${o.started}`;

export function parseOwner(tag: string | undefined): FileOwner | undefined {
  const m = tag === undefined ? null : /^(.+)_(\d+)_(\d+)$/.exec(tag);
  return m ? { host: m[1] as string, pid: Number(m[2]), started: Number(m[3]) } : undefined;
}

/**
 * Whether the process that owns a temporary file may still be writing it: true for this process,
 * false for a dead process on this host (or this pid from an earlier start, as in a restarted
 * container), undefined when nobody can tell (another host, a live pid that may have been reused):
 * then the file's age decides.
 */
export function ownerMayBeWriting(owner: FileOwner | undefined): boolean | undefined {
  if (owner === undefined || owner.host !== thisProcess.host) return undefined;
  if (owner.pid === thisProcess.pid) return owner.started === thisProcess.started;
  try {
    process.kill(owner.pid, 0);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" ? undefined : false;
  }
}
