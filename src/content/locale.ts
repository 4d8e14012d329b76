/**
 * Locales, in one place. BUTTERCMS_LOCALES lists the codes this backend
 * serves, the first being ButterCMS's default locale. Inside, a locale is a
 * `LocaleKey`: "default" for ButterCMS's default locale (asked for without
 * a `locale` parameter), else the code; so `?locale=<default>` and no
 * `locale` are one piece of content (one index, one set of cache tags).
 */
import type { Config } from "../core/config.ts";
import type { ParamSpec } from "../http/query.ts";

/** The `locale` query parameter: one of BUTTERCMS_LOCALES (http/query.ts checks it). */
export const LOCALE_PARAM = { type: "locale" } as const satisfies ParamSpec;

/** "default" for ButterCMS's default locale, else the locale code. */
export type LocaleKey = string;
export const DEFAULT_LOCALE: LocaleKey = "default";

const served = (config: Config): readonly string[] => (Array.isArray(config.locales) ? config.locales : []);

/** The key of a validated `locale` query parameter (undefined: the default locale). */
export function localeKey(config: Config, locale: string | undefined): LocaleKey {
  if (locale === undefined) return DEFAULT_LOCALE;
  return locale === served(config)[0] ? DEFAULT_LOCALE : locale;
}

/** The locale parameter ButterCMS gets: none for the default locale. */
export const upstreamLocale = (locale: LocaleKey): string | undefined =>
  locale === DEFAULT_LOCALE ? undefined : locale;

/** The code a key stands for: the default locale's is BUTTERCMS_LOCALES' first ("default" without it). */
export const localeCode = (config: Config, locale: LocaleKey): string =>
  locale === DEFAULT_LOCALE ? (served(config)[0] ?? DEFAULT_LOCALE) : locale;

/** Every locale this backend serves, as keys. */
export function servedLocales(config: Config): LocaleKey[] {
  const codes = served(config);
  return codes.length === 0 ? [DEFAULT_LOCALE] : codes.map((code) => localeKey(config, code));
}

/**
 * The key of a locale ButterCMS names in a webhook (`data.locale`, lower
 * case): null or absent is the default locale; a code this backend does not
 * serve is null. Without BUTTERCMS_LOCALES only the default locale is
 * served, and which code ButterCMS gives it is not known here: any code
 * counts as the default (a wrong guess costs a call, never an answer).
 */
export function webhookLocale(config: Config, code: string | null): LocaleKey | null {
  if (code === null) return DEFAULT_LOCALE;
  const codes = served(config);
  if (codes.length === 0) return DEFAULT_LOCALE;
  return codes.includes(code) ? localeKey(config, code) : null;
}
