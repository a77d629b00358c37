import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { InputError } from "@quanta/core";

/** The setting that lets a webhook reach internal addresses (docs/operations.md). */
export const allowedNetworksSetting = "QUANTA_WEBHOOK_ALLOWED_NETWORKS";

export interface WebhookAddressOptions {
  /**
   * Networks (CIDR, e.g. `10.20.0.0/16`, `127.0.0.1/32`, `fd00::/8`) webhooks may reach although
   * they are not public. Empty (the default): public addresses only.
   */
  allowedNetworks?: readonly string[] | undefined;
  /** Name resolution (default `dns.lookup`); every address it answers is checked. */
  resolve?: typeof dnsLookup | undefined;
}

interface Network {
  family: 4 | 6;
  bytes: number[];
  prefix: number;
}

interface Range extends Network {
  kind: string;
}

/** Addresses that are not the public internet: the server itself, its networks, the cloud's metadata. */
const refusedRanges: Range[] = [
  ["0.0.0.0/8", "an unspecified (0.0.0.0/8)"],
  ["10.0.0.0/8", "a private"],
  ["100.64.0.0/10", "a shared (carrier-grade NAT)"],
  ["127.0.0.0/8", "a loopback"],
  ["169.254.0.0/16", "a link-local (cloud metadata)"],
  ["172.16.0.0/12", "a private"],
  ["192.0.0.0/24", "an IETF-reserved"],
  ["192.168.0.0/16", "a private"],
  ["198.18.0.0/15", "a benchmarking"],
  ["224.0.0.0/4", "a multicast"],
  ["240.0.0.0/4", "a reserved (or broadcast)"],
  ["::/128", "the unspecified"],
  ["::1/128", "a loopback"],
  ["fc00::/7", "a unique-local"],
  ["fe80::/10", "a link-local"],
  ["fec0::/10", "a site-local"],
  ["ff00::/8", "a multicast"],
].map(([cidr, kind]) => ({ ...(parseNetwork(cidr as string) as Network), kind: kind as string }));

/** IPv6 forms that carry an IPv4 address: judged as that IPv4 address. */
const embeddingIpv4 = ["::ffff:0:0/96", "64:ff9b::/96", "::/96"].map((c) => parseNetwork(c) as Network);

/** Names for this host or its local networks, which no public webhook receiver has. */
const localNames = [/^localhost$/, /\.localhost$/, /\.local$/, /\.localdomain$/, /\.internal$/, /\.home\.arpa$/];

function ipv4Bytes(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.map(Number);
}

function ipv6Bytes(text: string): number[] | undefined {
  let address = text.replace(/%.*$/, "");
  // A dotted IPv4 tail (`::ffff:127.0.0.1`) is the last two groups.
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted?.[1]) {
    const v4 = ipv4Bytes(dotted[1]);
    if (!v4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    address = `${address.slice(0, dotted.index + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 0xff]);
}

function parseAddress(text: string): { family: 4 | 6; bytes: number[] } | undefined {
  const family = isIP(text);
  if (family === 4) return { family, bytes: ipv4Bytes(text) as number[] };
  if (family === 6) {
    const bytes = ipv6Bytes(text);
    return bytes ? { family, bytes } : undefined;
  }
  return undefined;
}

function parseNetwork(cidr: string): Network | undefined {
  const [address = "", bits, extra] = cidr.trim().split("/");
  const parsed = parseAddress(address);
  if (!parsed || extra !== undefined) return undefined;
  const max = parsed.family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { ...parsed, prefix };
}

function contains(network: Network, address: { family: 4 | 6; bytes: number[] }): boolean {
  if (network.family !== address.family) return false;
  for (let bit = 0; bit < network.prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    const i = bit >> 3;
    if (((network.bytes[i] as number) & mask) !== ((address.bytes[i] as number) & mask)) return false;
  }
  return true;
}

const ipv4Of = (ip: { bytes: number[] }) => ({ family: 4 as const, bytes: ip.bytes.slice(12) });

/**
 * Where webhooks may be delivered: public addresses, plus the networks an installation allows.
 * Registration refuses addresses and local names it can see in the URL; delivery resolves the name,
 * checks every address it has and connects to a checked one (no second lookup to rebind).
 */
export class WebhookAddressPolicy {
  private readonly allowed: Network[];
  private readonly resolve: typeof dnsLookup;

  constructor(options: WebhookAddressOptions = {}) {
    this.allowed = (options.allowedNetworks ?? []).map((cidr) => {
      const network = parseNetwork(cidr);
      if (!network) {
        throw new InputError(
          `${allowedNetworksSetting}: "${cidr}" is not a network; write an address with its prefix length, e.g. 10.20.0.0/16 or fd00::/8`,
        );
      }
      return network;
    });
    this.resolve = options.resolve ?? dnsLookup;
  }

  /** Why `address` (an IP address) is refused ("127.0.0.1, a loopback address"), or undefined. */
  refusal(address: string): string | undefined {
    const ip = parseAddress(address);
    if (!ip) return `${address}, which is not an IP address`;
    const inner = ip.family === 6 && embeddingIpv4.some((n) => contains(n, ip)) ? ipv4Of(ip) : undefined;
    if (this.allowed.some((n) => contains(n, ip) || (inner !== undefined && contains(n, inner)))) return undefined;
    const own = refusedRanges.find((r) => contains(r, ip));
    if (own) return `${address}, ${own.kind} address`;
    const carried = inner && refusedRanges.find((r) => contains(r, inner));
    if (carried && inner) return `${address}, which carries ${inner.bytes.join(".")}, ${carried.kind} address`;
    return undefined;
  }

  /** The registration check of a parsed http(s) URL: throws InputError saying why it is refused. */
  checkUrl(url: URL, written: string): void {
    const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "");
    const refuse = (why: string) =>
      new InputError(
        `webhook url "${written.slice(0, 200)}" ${why}; webhooks reach public addresses only (an installation that needs internal receivers lists their networks in ${allowedNetworksSetting})`,
      );
    if (isIP(host)) {
      const why = this.refusal(host);
      if (why) throw refuse(`points at ${why}`);
      return;
    }
    // With networks allowed, internal names are expected: what they resolve to is checked on delivery.
    if (this.allowed.length > 0) return;
    if (localNames.some((p) => p.test(host))) throw refuse(`names ${host}, a name of this host or its local network`);
    if (!host.includes(".")) {
      throw refuse(`names ${host}, a name without a domain (resolved through the server's local search domains)`);
    }
  }

  /** Resolves like `dns.lookup` and fails unless every address is one a webhook may reach. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = addresses.map((a) => this.refusal(a.address)).find((why) => why !== undefined);
      if (refused || addresses.length === 0) {
        const e = Object.assign(
          new Error(
            `${hostname} resolves to ${refused ?? "no address"}; webhooks reach public addresses only (see ${allowedNetworksSetting})`,
          ),
          { code: "EWEBHOOKADDRESS" },
        );
        return callback(e, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
