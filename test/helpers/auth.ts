import { SignJWT } from "jose";
import { vi } from "vitest";
import { TEST_SECRETS } from "./secrets.ts";

export const SECRET_KEY = new TextEncoder().encode(TEST_SECRETS.sessionSecret);

export function enableSessions(): void {
  vi.stubEnv("PREVIEW_PASSWORD", TEST_SECRETS.password);
  vi.stubEnv("SESSION_SECRET", TEST_SECRETS.sessionSecret);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export interface TokenOptions {
  alg?: "HS256" | "HS512";
  iss?: string;
  aud?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
  key?: Uint8Array;
  jti?: string;
}

/** A token built from parts, for the verification matrix. */
export async function craftToken(nowSeconds: number, options: TokenOptions = {}): Promise<string> {
  const iat = options.iat ?? nowSeconds;
  return new SignJWT({})
    .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT" })
    .setIssuer(options.iss ?? "butter-netlify-backend")
    .setAudience(options.aud ?? "preview")
    .setSubject("preview")
    .setJti(options.jti ?? crypto.randomUUID())
    .setIssuedAt(iat)
    .setNotBefore(options.nbf ?? iat)
    .setExpirationTime(options.exp ?? iat + 3600)
    .sign(options.key ?? SECRET_KEY);
}

export function unsignedToken(nowSeconds: number): string {
  const payload = {
    iss: "butter-netlify-backend",
    aud: "preview",
    sub: "preview",
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + 3600,
    jti: "unsigned",
  };
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
}

export function tamperPayload(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  claims.exp += 86_400;
  return `${header}.${b64(claims)}.${signature}`;
}

export function tamperSignature(token: string): string {
  const last = token.at(-2) === "A" ? "B" : "A";
  return `${token.slice(0, -2)}${last}${token.at(-1)}`;
}

/** Parses a Set-Cookie value into its name, value and attributes (lower-cased names). */
export function parseSetCookie(header: string) {
  const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
  const eq = pair.indexOf("=");
  const attrs = new Map<string, string | true>();
  for (const attribute of attributes) {
    const [name = "", ...value] = attribute.split("=");
    attrs.set(name.toLowerCase(), value.length ? value.join("=") : true);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}
