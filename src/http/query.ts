/**
 * Query-string validation from a declarative spec. Unknown parameters are
 * rejected (a typo such as `pagesize` must not silently return page 1), and
 * every failure is reported at once with a reason per parameter.
 *
 * The http/ layer: HTTP building blocks (problems, query and body parsing,
 * representations, ETags, cache headers, CORS, cookies). It may import
 * core/, butter/failure.ts (to map ButterCMS failures at one boundary) and
 * netlify/context.ts (types only).
 */
import { SLUG_PATTERN, SLUG_REASON } from "../butter/slug.ts";
import { type FieldError, invalidParameters } from "../core/errors.ts";

export type ParamSpec =
  | { type: "integer"; min: number; max: number; default: number }
  | { type: "slug" }
  | { type: "boolean"; default: boolean }
  | { type: "flag" }
  | { type: "enum"; values: readonly string[] }
  /** A locale code from BUTTERCMS_LOCALES (given to `parseQuery`); none accepted when it is unset. */
  | { type: "locale" }
  /** Required text, trimmed. */
  | { type: "text"; minLength: number; maxLength: number };

type ValueOf<S extends ParamSpec> = S extends { type: "integer" }
  ? number
  : S extends { type: "boolean" }
    ? boolean
    : S extends { type: "flag" }
      ? boolean
      : string;

export type ParsedQuery<T extends Record<string, ParamSpec>> = {
  [K in keyof T]: T[K] extends { type: "slug" } | { type: "enum" } | { type: "locale" }
    ? string | undefined
    : ValueOf<T[K]>;
};

const INTEGER = /^[1-9]\d{0,8}$|^0$/;
const TRUE_VALUES = new Set(["true", "1"]);
const FALSE_VALUES = new Set(["false", "0"]);

interface ParseOptions {
  /** The accepted `locale` values (BUTTERCMS_LOCALES); empty: the parameter is refused. */
  locales?: readonly string[];
}

function parseOne(
  spec: ParamSpec,
  raw: string,
  options: ParseOptions,
): { value: unknown } | { reason: string } {
  switch (spec.type) {
    case "integer": {
      const value = Number(raw);
      if (!INTEGER.test(raw) || value < spec.min || value > spec.max) {
        return { reason: `must be an integer from ${spec.min} to ${spec.max}` };
      }
      return { value };
    }
    case "slug":
      return SLUG_PATTERN.test(raw) ? { value: raw } : { reason: SLUG_REASON };
    case "boolean":
      if (TRUE_VALUES.has(raw)) return { value: true };
      if (FALSE_VALUES.has(raw)) return { value: false };
      return { reason: "must be one of true, false, 1, 0" };
    case "enum":
      return spec.values.includes(raw)
        ? { value: raw }
        : { reason: `must be one of: ${spec.values.join(", ")}` };
    case "locale": {
      const locales = options.locales ?? [];
      if (locales.length === 0) return { reason: "is not accepted: this site serves one locale" };
      return locales.includes(raw) ? { value: raw } : { reason: `must be one of: ${locales.join(", ")}` };
    }
    case "flag":
      return raw === "1" ? { value: true } : { reason: "must be 1 (leave it out otherwise)" };
    case "text": {
      const value = raw.trim();
      if (value.length < spec.minLength || value.length > spec.maxLength) {
        return {
          reason: `must be ${spec.minLength} to ${spec.maxLength} characters after trimming`,
        };
      }
      return { value };
    }
  }
}

function defaultOf(spec: ParamSpec): unknown {
  if (spec.type === "integer" || spec.type === "boolean") return spec.default;
  if (spec.type === "flag") return false;
  return undefined;
}

/** A spec's names and entries, listed once per spec (specs are module constants; this runs on every request). */
const listed = new WeakMap<Record<string, ParamSpec>, { known: string; entries: [string, ParamSpec][] }>();

function listing(specs: Record<string, ParamSpec>) {
  let found = listed.get(specs);
  if (!found) {
    found = { known: Object.keys(specs).join(", "), entries: Object.entries(specs) };
    listed.set(specs, found);
  }
  return found;
}

/** Parses `params` against `specs`; throws `invalid_parameter` listing every problem. */
export function parseQuery<T extends Record<string, ParamSpec>>(
  params: URLSearchParams,
  specs: T,
  options: ParseOptions = {},
): ParsedQuery<T> {
  const { known, entries } = listing(specs);
  const errors: FieldError[] = [];
  // Each given name once: its value, or `null` when it was given more than once.
  const given = new Map<string, string | null>();
  for (const [name, value] of params) {
    const repeated = given.has(name);
    given.set(name, repeated ? null : value);
    if (repeated || Object.hasOwn(specs, name)) continue;
    errors.push({
      name,
      reason: known
        ? `is not a known parameter (known: ${known})`
        : "is not a known parameter (this endpoint takes none)",
    });
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of entries) {
    const raw = given.get(name);
    if (raw === null) {
      errors.push({ name, reason: "must be given at most once" });
      continue;
    }
    if (raw === undefined) {
      if (spec.type === "text") errors.push({ name, reason: "is required" });
      else out[name] = defaultOf(spec);
      continue;
    }
    const result = parseOne(spec, raw, options);
    if ("reason" in result) errors.push({ name, reason: result.reason });
    else out[name] = result.value;
  }
  if (errors.length > 0) throw invalidParameters(errors);
  return out as ParsedQuery<T>;
}
