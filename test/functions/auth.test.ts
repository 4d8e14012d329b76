import { describe, expect, it, vi } from "vitest";
import handler, { config } from "../../functions/auth.mts";
import {
  craftToken,
  enableSessions,
  parseSetCookie,
  tamperPayload,
  tamperSignature,
  unsignedToken,
} from "../helpers/auth.ts";
import { consoleLines } from "../helpers/console.ts";
import { invoke } from "../helpers/invoke.ts";
import { expectNoSecrets, TEST_SECRETS } from "../helpers/secrets.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;

const login = (body: unknown, headers: Record<string, string> = {}) =>
  invoke(handler, "/api/auth", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const status = (headers: Record<string, string> = {}) => invoke(handler, "/api/auth", { headers });

describe("POST /api/auth", () => {
  it("answers 200 with the session token and sets the __Host- cookie with the contract's attributes", async () => {
    enableSessions();
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const res = await login({ password: TEST_SECRETS.password });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      authenticated: true,
      expires_at: "2026-11-28T13:00:00.000Z",
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    const cookie = parseSetCookie(res.headers.get("Set-Cookie") as string);
    expect(cookie.name).toBe("__Host-preview_session");
    expect(cookie.value).toBe(res.json.token);
    expect(Object.fromEntries(cookie.attrs)).toEqual({
      httponly: true,
      secure: true,
      samesite: "Strict",
      path: "/",
      "max-age": "3600",
    });
    expect(cookie.attrs.has("domain")).toBe(false);
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
    expectNoSecrets(res);
  });

  it("signs an HS256 JWT with iss, aud, iat and exp = iat + SESSION_TTL", async () => {
    enableSessions();
    vi.stubEnv("SESSION_TTL", "600");
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const token = (await login({ password: TEST_SECRETS.password })).json.token as string;
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, "base64url").toString()));
    expect(header).toMatchObject({ alg: "HS256" });
    expect(payload).toMatchObject({
      iss: "butter-netlify-backend",
      aud: "preview",
      iat: NOW_S,
      exp: NOW_S + 600,
    });
  });

  it("answers 401 invalid_credentials for a wrong password, with no cookie", async () => {
    enableSessions();
    const res = await login({ password: "wrong" });
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("invalid_credentials");
    expect(res.headers.get("Set-Cookie")).toBeNull();
    expectNoSecrets(res);
  });

  it("answers 401 for a password that is a prefix or an extension of the right one", async () => {
    enableSessions();
    expect((await login({ password: TEST_SECRETS.password.slice(0, -1) })).status).toBe(401);
    expect((await login({ password: `${TEST_SECRETS.password}x` })).status).toBe(401);
  });

  it.each([
    ["text/plain", "text/plain", JSON.stringify({ password: "x" }), 415, "unsupported_media_type"],
    ["form data", "application/x-www-form-urlencoded", "password=x", 415, "unsupported_media_type"],
    ["no content type", "", JSON.stringify({ password: "x" }), 415, "unsupported_media_type"],
    ["malformed JSON", "application/json", "{password:", 400, "invalid_parameter"],
    ["a JSON array", "application/json", "[]", 400, "invalid_parameter"],
    ["no password", "application/json", "{}", 400, "invalid_parameter"],
    ["a numeric password", "application/json", '{"password":123}', 400, "invalid_parameter"],
    ["an unknown field", "application/json", '{"password":"x","admin":true}', 400, "invalid_parameter"],
    [
      "a body over 4 KiB",
      "application/json",
      JSON.stringify({ password: "x".repeat(5000) }),
      413,
      "payload_too_large",
    ],
  ])("answers %s with %s", async (_name, contentType, body, expectedStatus, code) => {
    enableSessions();
    const res = await invoke(handler, "/api/auth", {
      method: "POST",
      headers: contentType ? { "Content-Type": contentType } : {},
      body,
    });
    expect(res.status).toBe(expectedStatus);
    expect(res.json.code).toBe(code);
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });

  it("accepts application/json with a charset", async () => {
    enableSessions();
    const res = await login(
      { password: TEST_SECRETS.password },
      { "Content-Type": "application/json; charset=utf-8" },
    );
    expect(res.status).toBe(200);
  });

  it.each([
    ["PREVIEW_PASSWORD unset", { SESSION_SECRET: TEST_SECRETS.sessionSecret }, 503, "auth_not_configured"],
    ["SESSION_SECRET unset", { PREVIEW_PASSWORD: TEST_SECRETS.password }, 503, "auth_not_configured"],
    [
      "SESSION_SECRET of 31 bytes",
      { PREVIEW_PASSWORD: TEST_SECRETS.password, SESSION_SECRET: "x".repeat(31) },
      500,
      "misconfigured",
    ],
    [
      "SESSION_TTL not a number",
      {
        PREVIEW_PASSWORD: TEST_SECRETS.password,
        SESSION_SECRET: TEST_SECRETS.sessionSecret,
        SESSION_TTL: "1h",
      },
      500,
      "misconfigured",
    ],
  ])("answers %s with %s %s and names no secret", async (_name, env, expectedStatus, code) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const res = await login({ password: TEST_SECRETS.password });
    expect(res.status).toBe(expectedStatus);
    expect(res.json.code).toBe(code);
    expectNoSecrets(res);
  });

  it("declares a per-IP rate limit with aggregateBy as an array", () => {
    expect(config.rateLimit?.aggregateBy).toEqual(["ip", "domain"]);
    expect(config.rateLimit?.windowLimit).toBeGreaterThan(0);
  });
});

describe("GET /api/auth", () => {
  it("reports an authenticated session from the cookie with its expiry", async () => {
    enableSessions();
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const token = await craftToken(NOW_S);
    const res = await status({ Cookie: `theme=dark; __Host-preview_session=${token}` });
    expect(res.json).toEqual({ authenticated: true, expires_at: "2026-11-28T13:00:00.000Z" });
    expect(res.headers.get("Cache-Control")).toBe("private, no-store");
  });

  it("reports an authenticated session from a Bearer token", async () => {
    enableSessions();
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const res = await status({ Authorization: `Bearer ${await craftToken(NOW_S)}` });
    expect(res.json.authenticated).toBe(true);
  });

  it("reports authenticated: false without a session", async () => {
    enableSessions();
    const res = await status();
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ authenticated: false });
  });

  describe("verification matrix (frozen clock)", () => {
    const cases: [string, () => Promise<string> | string, boolean][] = [
      ["a valid token", () => craftToken(NOW_S), true],
      ["a token issued 59 minutes ago", () => craftToken(NOW_S - 3540), true],
      ["a token expired at exp", () => craftToken(NOW_S - 3600 - 10), false],
      ["a token not yet valid", () => craftToken(NOW_S + 600), false],
      ["a tampered payload", async () => tamperPayload(await craftToken(NOW_S)), false],
      ["a tampered signature", async () => tamperSignature(await craftToken(NOW_S)), false],
      ["alg: none", () => unsignedToken(NOW_S), false],
      ["HS512 with the right secret", () => craftToken(NOW_S, { alg: "HS512" }), false],
      ["a wrong iss", () => craftToken(NOW_S, { iss: "someone-else" }), false],
      ["a wrong aud", () => craftToken(NOW_S, { aud: "admin" }), false],
      ["a wrong secret", () => craftToken(NOW_S, { key: new TextEncoder().encode("y".repeat(40)) }), false],
      ["a lifetime longer than SESSION_TTL", () => craftToken(NOW_S - 7000, { exp: NOW_S + 3600 }), false],
      ["garbage", () => "not.a.jwt", false],
    ];

    it.each(cases)("%s gives authenticated: %s", async (_name, make, valid) => {
      enableSessions();
      vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
      const token = await make();
      const res = await status({ Authorization: `Bearer ${token}` });
      expect(res.json.authenticated).toBe(valid);
    });
  });
});

describe("DELETE /api/auth", () => {
  it("answers 204 and expires the cookie", async () => {
    enableSessions();
    const res = await invoke(handler, "/api/auth", { method: "DELETE" });
    expect(res.status).toBe(204);
    const cookie = parseSetCookie(res.headers.get("Set-Cookie") as string);
    expect(cookie.name).toBe("__Host-preview_session");
    expect(cookie.value).toBe("");
    expect(cookie.attrs.get("max-age")).toBe("0");
    expect(cookie.attrs.get("path")).toBe("/");
    expect(cookie.attrs.get("secure")).toBe(true);
  });
});

describe("methods and CORS", () => {
  it("answers PUT with 405 and Allow", async () => {
    enableSessions();
    const res = await invoke(handler, "/api/auth", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST, GET, DELETE, HEAD, OPTIONS");
  });

  it("never sends * nor credentials to an origin that is not listed", async () => {
    enableSessions();
    const res = await status({ Origin: "https://evil.example" });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(res.headers.get("Vary")).toContain("Origin");
  });

  it("echoes a listed origin with credentials and Vary: Origin", async () => {
    enableSessions();
    vi.stubEnv("ALLOWED_ORIGINS", "https://app.example");
    const res = await invoke(handler, "/api/auth", {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Vary")).toContain("Origin");
  });

  it("refuses Origin: null even if 'null' is listed", async () => {
    enableSessions();
    vi.stubEnv("ALLOWED_ORIGINS", "null,https://app.example");
    const res = await status({ Origin: "null" });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("never answers * with credentials even if '*' is listed", async () => {
    enableSessions();
    vi.stubEnv("ALLOWED_ORIGINS", "*");
    const res = await status({ Origin: "https://evil.example" });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("logs nothing that contains a secret over a login, a status check and a logout", async () => {
    enableSessions();
    const token = (await login({ password: TEST_SECRETS.password })).json.token as string;
    await status({ Authorization: `Bearer ${token}` });
    await login({ password: "wrong" });
    for (const line of consoleLines) expect(line).not.toContain(TEST_SECRETS.password);
  });
});
