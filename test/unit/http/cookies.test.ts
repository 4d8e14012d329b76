import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCookie, sessionCookie } from "../../../src/http/cookies.ts";

const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const value = fc.stringMatching(/^[A-Za-z0-9._~-]{0,40}$/);

describe("readCookie", () => {
  it("finds the first cookie of a name among any others, whatever the spacing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, value), { maxLength: 8 }),
        name,
        value,
        fc.constantFrom(";", "; ", " ;  "),
        (others, target, wanted, separator) => {
          const pairs = [...others.filter(([n]) => n !== target), [target, wanted] as [string, string]];
          const header = pairs.map(([n, v]) => `${n}=${v}`).join(separator);
          expect(readCookie(header, target)).toBe(wanted);
        },
      ),
    );
  });

  it("never throws on arbitrary headers, and never matches a name that is only a prefix", () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        expect(() => readCookie(header, "__Host-preview_session")).not.toThrow();
      }),
    );
    expect(readCookie("__Host-preview_session_x=1", "__Host-preview_session")).toBeUndefined();
    expect(readCookie("x__Host-preview_session=1", "__Host-preview_session")).toBeUndefined();
  });

  it.each([
    [null, undefined],
    ["", undefined],
    ["novalue", undefined],
    ['s="quoted"', "quoted"],
    ["s=a=b", "a=b"],
  ])("reads %j as %j", (header, expected) => {
    expect(readCookie(header, "s")).toBe(expected);
  });

  it("writes the session cookie with exactly the contract's attributes", () => {
    expect(sessionCookie("__Host-preview_session", "t", 60)).toBe(
      "__Host-preview_session=t; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=60",
    );
  });
});
