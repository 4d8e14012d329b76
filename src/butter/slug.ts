/**
 * ButterCMS slugs: letters, digits, `_` and `-`, starting with a letter or
 * digit. The SDK puts a slug into the URL path unencoded
 * (docs/buttercms.md, "Slug not encoded"), so nothing else may
 * reach it.
 */
export const SLUG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,199}$/;
export const SLUG_REASON =
  "must be 1 to 200 characters of letters, digits, '_' or '-', starting with a letter or digit";
