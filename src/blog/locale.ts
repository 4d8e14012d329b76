/**
 * The `locale` query parameter (BUTTERCMS_LOCALES); what a locale is inside
 * the backend is content/locale.ts.
 */
export const LOCALE_PARAM = { type: "locale" } as const;
