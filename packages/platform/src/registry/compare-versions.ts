const semver = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/;

/** Orders two semantic versions; undefined when either is not one (then order is not enforced). */
export function compareVersions(a: string, b: string): number | undefined {
  const x = semver.exec(a);
  const y = semver.exec(b);
  if (!x || !y) return undefined;
  for (const i of [1, 2, 3]) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return Math.sign(d);
  }
  // A pre-release sorts before its release: 1.0.0-rc.1 < 1.0.0.
  if (x[4] === y[4]) return 0;
  if (x[4] === undefined) return 1;
  if (y[4] === undefined) return -1;
  return x[4] < y[4] ? -1 : 1;
}
