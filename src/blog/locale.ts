/**
 * The `locale` query parameter (BUTTERCMS_LOCALES): the first listed code is
 * ButterCMS's default locale, so `?locale=<default>` and no `locale` are one
 * piece of content (one index, one set of cache tags).
 */

import { DEFAULT_LOCALE, type LocaleKey } from "../content/cache-tags.ts";
import type { Config } from "../core/config.ts";

export const LOCALE_PARAM = { type: "locale" } as const;

export function localeKey(config: Config, locale: string | undefined): LocaleKey {
  if (locale === undefined) return DEFAULT_LOCALE;
  const locales = Array.isArray(config.locales) ? config.locales : [];
  return locale === locales[0] ? DEFAULT_LOCALE : locale;
}
