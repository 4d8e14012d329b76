import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAllowed, parseAllowlist } from "../../../src/preview/ip-allowlist.ts";

/** Reference implementation on BigInt: an address is in a CIDR range if their top `prefix` bits agree. */
const ipv4ToBigInt = (octets: number[]) => octets.reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
const ipv6ToBigInt = (groups: number[]) => groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
const inRange = (address: bigint, network: bigint, prefix: number, bits: number) => {
  const shift = BigInt(bits - prefix);
  return address >> shift === network >> shift;
};

const octets = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
/** ::ffff:a.b.c.d is matched as IPv4; the IPv6 property covers every other address. */
const isMapped = (g: number[]) => g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
const v4 = (o: number[]) => o.join(".");
const v6 = (g: number[]) => g.map((x) => x.toString(16)).join(":");

describe("IP allowlist parsing and matching", () => {
  it("matches IPv4 CIDR ranges exactly as the BigInt reference does", async () => {
    await fc.assert(
      fc.asyncProperty(octets, octets, fc.integer({ min: 0, max: 32 }), async (network, address, prefix) => {
        const list = await parseAllowlist(`${v4(network)}/${prefix}`);
        expect(isAllowed(list, v4(address))).toBe(
          inRange(ipv4ToBigInt(address), ipv4ToBigInt(network), prefix, 32),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("matches IPv6 CIDR ranges exactly as the BigInt reference does", async () => {
    await fc.assert(
      fc.asyncProperty(groups, groups, fc.integer({ min: 0, max: 128 }), async (network, address, prefix) => {
        fc.pre(!isMapped(network) && !isMapped(address));
        const list = await parseAllowlist(`${v6(network)}/${prefix}`);
        expect(isAllowed(list, v6(address))).toBe(
          inRange(ipv6ToBigInt(address), ipv6ToBigInt(network), prefix, 128),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("matches an IPv4-mapped IPv6 client as its IPv4 form, both ways", async () => {
    await fc.assert(
      fc.asyncProperty(octets, octets, fc.integer({ min: 0, max: 32 }), async (network, address, prefix) => {
        const expected = inRange(ipv4ToBigInt(address), ipv4ToBigInt(network), prefix, 32);
        expect(isAllowed(await parseAllowlist(`${v4(network)}/${prefix}`), `::ffff:${v4(address)}`)).toBe(
          expected,
        );
        expect(isAllowed(await parseAllowlist(`::ffff:${v4(network)}/${96 + prefix}`), v4(address))).toBe(
          expected,
        );
      }),
      { numRuns: 300 },
    );
  });

  it("rejects every non-decimal or non-four-part IPv4 form", async () => {
    const anyList = await parseAllowlist("0.0.0.0/0");
    const forms = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map((n) => `0x${n.toString(16)}`),
      fc.integer({ min: 1, max: 0xffffffff }).map(String),
      octets.map((o) => o.map((x) => `0${x.toString(8)}`).join(".")),
      octets.map((o) => o.slice(0, 3).join(".")),
      octets.map((o) => o.map((x) => `0x${x.toString(16)}`).join(".")),
    );
    await fc.assert(
      fc.asyncProperty(forms, async (form) => {
        await expect(parseAllowlist(form)).rejects.toThrow(/not a valid/);
        expect(anyList.parse(form)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["10.0.0.0/33", "10.0.0.0/33"],
    ["1.2.3", "1.2.3"],
    ["0x0a000001", "0x0a000001"],
    ["010.0.0.1", "010.0.0.1"],
    ["10.0.0.0/-1", "10.0.0.0/-1"],
    ["10.0.0.0/08", "10.0.0.0/08"],
    ["::1/129", "::1/129"],
    ["fe80::1%eth0", "fe80::1%eth0"],
    ["10.0.0.0/8/8", "10.0.0.0/8/8"],
    ["192.168.1.1, 300.1.1.1", "300.1.1.1"],
  ])("refuses %s, naming the bad entry", async (raw, entry) => {
    await expect(parseAllowlist(raw)).rejects.toThrow(`'${entry}'`);
  });

  it.each(["", " ", ",", " , "])("refuses a list that is set but empty (%j)", async (raw) => {
    await expect(parseAllowlist(raw)).rejects.toThrow(/lists no address/);
  });

  it("accepts commas, spaces and newlines as separators", async () => {
    const list = await parseAllowlist("203.0.113.0/24,  2001:db8::/32\n198.51.100.7");
    expect(list.entries).toEqual(["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]);
    expect(isAllowed(list, "198.51.100.7")).toBe(true);
    expect(isAllowed(list, "2001:db8::42")).toBe(true);
    expect(isAllowed(list, "198.51.100.8")).toBe(false);
  });

  it("never allows an empty or unparseable client IP", async () => {
    const list = await parseAllowlist("0.0.0.0/0, ::/0");
    expect(isAllowed(list, "")).toBe(false);
    expect(isAllowed(list, "unknown")).toBe(false);
  });
});
