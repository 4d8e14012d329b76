/**
 * IP address and CIDR parsing for IP_ALLOWLIST, on ipaddr.js. Strict on
 * purpose: only four-part decimal IPv4 (no `0x0a000001`, `012.0.0.1`, `1.2.3`),
 * prefix lengths within the family's bounds, and IPv4-mapped IPv6 folded to
 * its IPv4 form on both sides so that `::ffff:1.2.3.4` matches `1.2.3.0/24`.
 *
 * ipaddr.js is imported on first use, so that a public request on a site
 * without an allowlist never loads it (cold starts: bench/RESULTS.md).
 */
import type IpaddrLib from "ipaddr.js";

type Ipaddr = typeof IpaddrLib;
type Address = IpaddrLib.IPv4 | IpaddrLib.IPv6;

export interface Allowlist {
  /** The entries as configured. */
  readonly entries: readonly string[];
  readonly ranges: readonly [Address, number][];
  /** Parses one address with the same strict rules; `null` for anything that is not one. */
  readonly parse: (text: string) => Address | null;
}

const DECIMAL_PREFIX = /^(0|[1-9]\d{0,2})$/;

function addressParser(ipaddr: Ipaddr) {
  return (text: string): Address | null => {
    if (text.includes("%")) return null; // zone ids never name a remote client
    let address: Address;
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
      address = ipaddr.IPv4.parse(text);
    } else if (text.includes(":") && ipaddr.IPv6.isValid(text)) {
      address = ipaddr.IPv6.parse(text);
    } else {
      return null;
    }
    if (address.kind() === "ipv6" && (address as IpaddrLib.IPv6).isIPv4MappedAddress()) {
      return (address as IpaddrLib.IPv6).toIPv4Address();
    }
    return address;
  };
}

function parseEntry(parse: (text: string) => Address | null, entry: string): [Address, number] {
  const [addressText = "", prefixText, ...rest] = entry.split("/");
  const address = parse(addressText);
  if (!address || rest.length > 0) {
    throw new Error(`entry '${entry}' is not a valid IP address or CIDR range`);
  }
  const wasMapped = address.kind() === "ipv4" && addressText.includes(":");
  const familyBits = address.kind() === "ipv4" ? 32 : 128;
  if (prefixText === undefined) return [address, familyBits];
  const prefix = Number(prefixText);
  const bound = wasMapped ? 128 : familyBits;
  if (!DECIMAL_PREFIX.test(prefixText) || prefix > bound || (wasMapped && prefix < 96)) {
    throw new Error(`entry '${entry}' is not a valid CIDR range (prefix must be 0..${bound})`);
  }
  return [address, wasMapped ? prefix - 96 : prefix];
}

/**
 * Parses IP_ALLOWLIST: comma- or whitespace-separated addresses and CIDR
 * ranges. Rejects with an Error naming the first bad entry, or saying it is empty.
 */
export async function parseAllowlist(raw: string): Promise<Allowlist> {
  const entries = raw.split(/[\s,]+/).filter((entry) => entry !== "");
  if (entries.length === 0) throw new Error("is set but lists no address");
  const parse = addressParser((await import("ipaddr.js")).default);
  return { entries, ranges: entries.map((entry) => parseEntry(parse, entry)), parse };
}

/** Whether `ip` (as Netlify reports it) falls in one of the ranges. Unparseable IPs are not allowed. */
export function isAllowed(allowlist: Allowlist, ip: string): boolean {
  const address = allowlist.parse(ip);
  if (!address) return false;
  return allowlist.ranges.some(
    ([range, prefix]) => range.kind() === address.kind() && address.match(range, prefix),
  );
}
