/**
 * The core/ layer: configuration, the error family, the logger and a few
 * pure helpers. It imports nothing else of src/; every other folder may
 * import it (docs/architecture.md).
 *
 * This is the only module that reads the environment. It validates every variable
 * once per distinct environment and hands the rest of the code typed values.
 *
 * A problem in one area (say, a short SESSION_SECRET) must not take down the
 * others (public posts), so each area is either its value or the ApiError to
 * throw when that area is used: see `required`.
 */
import {
  ApiError,
  authNotConfigured,
  misconfigured,
  statusNotConfigured,
  webhookNotConfigured,
} from "./errors.ts";
import { registerSecret } from "./log.ts";

type ButterSource = { kind: "live"; token: string } | { kind: "sample" };

type AllowlistScope = "preview" | "all" | "non-production";

export interface IpPolicyConfig {
  /** IP_ALLOWLIST as set, parsed on first use (src/preview/ip-policy.ts); `null` when unset: no IP restriction. */
  allowlist: string | null;
  /** An invalid scope fails closed: every request is then guarded, and refused. */
  scope: AllowlistScope | ApiError;
}

export interface AuthConfig {
  password: string;
  /** HS256 key: SESSION_SECRET's UTF-8 bytes, at least 32. */
  secret: Uint8Array;
  ttlSeconds: number;
}

export interface Config {
  /** True under `netlify dev` (NETLIFY_DEV=true), which deployed functions never see. */
  netlifyDev: boolean;
  butter: ButterSource | ApiError;
  /** `null` when ALLOWED_ORIGINS is unset: public endpoints answer `*`. */
  allowedOrigins: readonly string[] | null;
  cdn: { maxAge: number; staleWhileRevalidate: number } | ApiError;
  upstream: { attemptTimeoutMs: number; deadlineMs: number } | ApiError;
  auth: AuthConfig | ApiError;
  ipPolicy: IpPolicyConfig;
  webhookSecret: string | ApiError;
  /** STATUS_TOKEN: the bearer token of `GET /api/status`; unset: the endpoint answers 503. */
  statusToken: string | ApiError;
  /** BUTTERCMS_LOCALES: the accepted `locale` values, the first being ButterCMS's default; empty = none. */
  locales: readonly string[] | ApiError;
  content: ContentConfig;
}

interface ContentConfig {
  /** CONTENT_STORE: the Netlify Blobs store shared by every instance. */
  storeName: string;
  /** LAST_KNOWN_GOOD: whether ButterCMS's answers are kept in Blobs to be served during outages. */
  lastKnownGood: boolean;
  /**
   * BUTTERCMS_PLAN_QUOTA: the plan's API calls a month (default 50,000, the
   * Free plan's: the smallest, so reconciliation never spends more than 2 %
   * of any plan). An invalid value falls back to the default.
   */
  planQuota: number;
  /** Whether BUTTERCMS_PLAN_QUOTA was set (the status then shows the share of it spent). */
  planQuotaSet: boolean;
}

/** The variables this backend reads; `.env.example` and the README list the same. */
export const ENV_VARS = [
  "BUTTERCMS_API_TOKEN",
  "BUTTERCMS_SAMPLE",
  "NETLIFY_DEV",
  "ALLOWED_ORIGINS",
  "CDN_MAX_AGE",
  "CDN_SWR",
  "UPSTREAM_TIMEOUT_MS",
  "UPSTREAM_DEADLINE_MS",
  "PREVIEW_PASSWORD",
  "SESSION_SECRET",
  "SESSION_TTL",
  "IP_ALLOWLIST",
  "IP_ALLOWLIST_SCOPE",
  "WEBHOOK_SECRET",
  "BUTTERCMS_LOCALES",
  "CONTENT_STORE",
  "LAST_KNOWN_GOOD",
  "BUTTERCMS_PLAN_QUOTA",
  "STATUS_TOKEN",
  // Read by @netlify/functions' purgeCache, not by us: listed so that it is redacted from logs.
  "NETLIFY_PURGE_API_TOKEN",
] as const;

type EnvVar = (typeof ENV_VARS)[number];
type Env = Partial<Record<EnvVar, string | undefined>>;

/** Throws the area's ApiError, or returns its value. */
export function required<T>(setting: T | ApiError): T {
  if (setting instanceof ApiError) throw setting;
  return setting;
}

const MIN_SECRET_BYTES = 32;
/** Netlify's synchronous functions stop at 30 s (SYNCHRONOUS_FUNCTION_TIMEOUT). */
const MAX_DEADLINE_MS = 25_000;

function integerSetting(
  env: Env,
  name: EnvVar,
  fallback: number,
  min: number,
  max: number,
): number | ApiError {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    return misconfigured(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return Number(raw);
}

function butterSource(env: Env): ButterSource | ApiError {
  const token = env.BUTTERCMS_API_TOKEN?.trim();
  if (env.BUTTERCMS_SAMPLE === "1") return { kind: "sample" };
  if (token) return { kind: "live", token };
  if (env.NETLIFY_DEV === "true") return { kind: "sample" };
  return misconfigured(
    "BUTTERCMS_API_TOKEN is not set (the sample blog is served only under netlify dev or with BUTTERCMS_SAMPLE=1)",
  );
}

function allowedOrigins(env: Env): readonly string[] | null {
  const raw = env.ALLOWED_ORIGINS;
  if (raw === undefined) return null;
  return raw
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin !== "");
}

function cdn(env: Env): Config["cdn"] {
  const maxAge = integerSetting(env, "CDN_MAX_AGE", 300, 0, 31_536_000);
  if (maxAge instanceof ApiError) return maxAge;
  const staleWhileRevalidate = integerSetting(env, "CDN_SWR", 604_800, 0, 31_536_000);
  if (staleWhileRevalidate instanceof ApiError) return staleWhileRevalidate;
  return { maxAge, staleWhileRevalidate };
}

function upstream(env: Env): Config["upstream"] {
  const attemptTimeoutMs = integerSetting(env, "UPSTREAM_TIMEOUT_MS", 2_500, 100, MAX_DEADLINE_MS);
  if (attemptTimeoutMs instanceof ApiError) return attemptTimeoutMs;
  const deadlineMs = integerSetting(env, "UPSTREAM_DEADLINE_MS", 8_000, 100, MAX_DEADLINE_MS);
  if (deadlineMs instanceof ApiError) return deadlineMs;
  return { attemptTimeoutMs, deadlineMs };
}

function auth(env: Env): Config["auth"] {
  const password = env.PREVIEW_PASSWORD;
  const secret = env.SESSION_SECRET;
  if (!password || !secret) {
    return authNotConfigured(
      `${!password ? "PREVIEW_PASSWORD" : "SESSION_SECRET"} is not set: preview sessions are off`,
    );
  }
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_SECRET_BYTES) {
    return misconfigured(
      `SESSION_SECRET must be at least ${MIN_SECRET_BYTES} bytes, it has ${key.byteLength}`,
    );
  }
  const ttlSeconds = integerSetting(env, "SESSION_TTL", 3_600, 60, 2_592_000);
  if (ttlSeconds instanceof ApiError) return ttlSeconds;
  return { password, secret: key, ttlSeconds };
}

function ipPolicy(env: Env): IpPolicyConfig {
  const rawScope = env.IP_ALLOWLIST_SCOPE?.trim() || "preview";
  const scope =
    rawScope === "preview" || rawScope === "all" || rawScope === "non-production"
      ? rawScope
      : misconfigured(`IP_ALLOWLIST_SCOPE must be 'preview', 'all' or 'non-production', got '${rawScope}'`);
  return { allowlist: env.IP_ALLOWLIST ?? null, scope };
}

function webhookSecret(env: Env): string | ApiError {
  const secret = env.WEBHOOK_SECRET;
  if (!secret) {
    return webhookNotConfigured();
  }
  return secret;
}

/** ButterCMS locale codes, as `en`, `es`, `pt-br`: one URL form each (lower case). */
export const LOCALE_PATTERN = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/;

function locales(env: Env): readonly string[] | ApiError {
  const raw = env.BUTTERCMS_LOCALES?.trim();
  if (!raw) return [];
  const codes = raw.split(",").map((code) => code.trim());
  const bad = codes.find((code) => !LOCALE_PATTERN.test(code));
  if (bad !== undefined) {
    return misconfigured(
      `BUTTERCMS_LOCALES entry '${bad}' is not a lower-case locale code such as en or pt-br`,
    );
  }
  return [...new Set(codes)];
}

const STORE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The Free plan's monthly API calls: the smallest plan, the safest assumption. */
const DEFAULT_PLAN_QUOTA = 50_000;

function content(env: Env): ContentConfig {
  const name = env.CONTENT_STORE?.trim() || "blog-content";
  const lastKnownGood = env.LAST_KNOWN_GOOD?.trim().toLowerCase() !== "off";
  const quota = integerSetting(env, "BUTTERCMS_PLAN_QUOTA", DEFAULT_PLAN_QUOTA, 1_000, 1_000_000_000);
  // Invalid values cannot be used; falling back keeps public reads up (reconciliation spends less).
  const planQuota = quota instanceof ApiError ? DEFAULT_PLAN_QUOTA : quota;
  const planQuotaSet = !(quota instanceof ApiError) && Boolean(env.BUTTERCMS_PLAN_QUOTA?.trim());
  return { storeName: STORE_NAME.test(name) ? name : "blog-content", lastKnownGood, planQuota, planQuotaSet };
}

/** Validates an environment. Pure but for registering secrets with the log redactor. */
export function loadConfig(env: Env): Config {
  registerSecret(env.BUTTERCMS_API_TOKEN?.trim());
  registerSecret(env.PREVIEW_PASSWORD);
  registerSecret(env.SESSION_SECRET);
  registerSecret(env.WEBHOOK_SECRET);
  registerSecret(env.NETLIFY_PURGE_API_TOKEN);
  registerSecret(env.STATUS_TOKEN);
  return {
    netlifyDev: env.NETLIFY_DEV === "true",
    butter: butterSource(env),
    allowedOrigins: allowedOrigins(env),
    cdn: cdn(env),
    upstream: upstream(env),
    auth: auth(env),
    ipPolicy: ipPolicy(env),
    webhookSecret: webhookSecret(env),
    statusToken: env.STATUS_TOKEN ? env.STATUS_TOKEN : statusNotConfigured(),
    locales: locales(env),
    content: content(env),
  };
}

let cached: { key: string; config: Config; fixed: boolean } | undefined;

/**
 * The configuration of the current process environment, validated once per
 * distinct set of values. Where Netlify's runtime runs the function (its
 * bootstrap sets the `Netlify` global, in deploys and under `netlify dev`),
 * a deploy's variables cannot change under a running instance, so they are
 * read once: reading the 20 variables costs about 3.5 µs, on every request
 * otherwise. Elsewhere (tests that stub variables between two requests) they
 * are read on every call.
 */
export function getConfig(): Config {
  if (cached?.fixed) return cached.config;
  // Netlify.env.get(k) is process.env[k] in functions; process.env also works under vitest.
  let key = "";
  for (const name of ENV_VARS) key += `${process.env[name] ?? "\u0000"}\u0001`;
  if (cached?.key !== key) {
    const env: Env = {};
    for (const name of ENV_VARS) env[name] = process.env[name];
    cached = { key, config: loadConfig(env), fixed: "Netlify" in globalThis };
  }
  return cached.config;
}
