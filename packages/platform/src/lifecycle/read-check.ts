import { GoneError } from "@quanta/core";
import type { Queryable } from "../storage/database.js";
import { type PortDates, type ProductDates, phaseAt, productDates, productPhase } from "./product-dates.js";

/** `Deprecation` (RFC 9745) is a structured-field date: `@` and seconds since the epoch. */
export const deprecationValue = (at: Date) => `@${Math.floor(at.getTime() / 1000)}`;

/** `Sunset` (RFC 8594) is an HTTP-date (IMF-fixdate). */
export const sunsetValue = (at: Date) => at.toUTCString();

/** Per store: each product's dates at the revision they were read at (every publish bumps it). */
const cache = new WeakMap<Queryable, Map<string, { revision: number; product: ProductDates | undefined }>>();
const cacheSize = 1_000;

/** A product's dates: one primary-key lookup while its revision holds, else read again. */
async function datesOf(q: Queryable, productId: string): Promise<ProductDates | undefined> {
  const { rows } = await q.query<{ revision: number }>("SELECT revision FROM data_products WHERE id = $1", [productId]);
  const revision = rows[0]?.revision;
  if (revision === undefined) return undefined;
  let byId = cache.get(q);
  if (!byId) {
    byId = new Map();
    cache.set(q, byId);
  }
  const hit = byId.get(productId);
  if (hit?.revision === revision) return hit.product;
  const product = (await productDates(q, productId))[0];
  byId.delete(productId);
  byId.set(productId, { revision, product });
  if (byId.size > cacheSize) byId.delete(byId.keys().next().value as string);
  return product;
}

/**
 * The lifecycle of a read, decided before any data is touched (consume, consume across ports,
 * pipelines reading an input). Past end of life: a 410 naming the date, for the product or the
 * port. Past end of support: the headers the answer carries, `Deprecation` with the date support
 * ended, `Sunset` with the end of life when there is one, and a `Link` (rel `deprecation`) to the
 * product's registry entry. Before both: no headers.
 */
export async function checkRead(
  q: Queryable,
  reads: readonly { productId: string; port: string }[],
  now: Date,
): Promise<Record<string, string>> {
  const deprecated: { productId: string; port: PortDates }[] = [];
  for (const productId of new Set(reads.map((r) => r.productId))) {
    const product = await datesOf(q, productId);
    if (!product) continue; // the read's own planning answers 404
    for (const read of reads.filter((r) => r.productId === productId)) {
      const port = product.ports.find((p) => p.port === read.port);
      const dates = port?.dates ?? product.dates;
      const phase = productPhase(product, now) === "end-of-life" ? "end-of-life" : phaseAt(dates, now);
      if (phase === "end-of-life") {
        const whole = productPhase(product, now) === "end-of-life";
        // A product whose every port ended: the last of their ends is the product's.
        const lastPort = product.ports
          .map((p) => p.dates.endOfLife?.getTime() ?? 0)
          .reduce((a, b) => Math.max(a, b), 0);
        const at = (whole ? product.dates.endOfLife : dates.endOfLife) ?? dates.endOfLife ?? new Date(lastPort);
        const what = whole ? `data product "${productId}"` : `port "${read.port}" of data product "${productId}"`;
        throw new GoneError(
          `${what} reached its end of life on ${at.toISOString()} and is no longer served; its registry entry and history stay at GET /api/products/${productId}`,
          {
            code: "end-of-life",
            details: { productId, port: read.port, endOfLife: at.toISOString() },
          },
        );
      }
      if (phase === "end-of-support" && port) deprecated.push({ productId, port });
    }
  }
  if (deprecated.length === 0) return {};
  const earliest = (dates: (Date | undefined)[]) =>
    dates.filter((d): d is Date => d !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
  const support = earliest(deprecated.map((d) => d.port.dates.endOfSupport)) as Date;
  const life = earliest(deprecated.map((d) => d.port.dates.endOfLife));
  return {
    deprecation: deprecationValue(support),
    ...(life ? { sunset: sunsetValue(life) } : {}),
    link: [...new Set(deprecated.map((d) => d.productId))]
      .map((id) => `</api/products/${encodeURIComponent(id)}>; rel="deprecation"; type="application/json"`)
      .join(", "),
  };
}
