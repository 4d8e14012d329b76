/**
 * Which posts a ButterCMS search could possibly return, decided without
 * asking it (docs/buttercms.md, "Search"). ButterCMS documents that every
 * word of the query must match and that titles weigh most; it does not say
 * how a word matches (substring, stemming, accents). So this test is
 * deliberately generous: a post can match only if its searchable text
 * contains, for every query word, the first few letters of that word
 * (accents and case folded). "No" is then a safe answer under substring
 * and suffix-stemming search; "yes" only means "ask ButterCMS".
 */
import type { Post } from "./types.ts";

/**
 * Lower case, accents removed: "Café" and "cafe" compare equal. Lower-cased
 * first (a search lower-cases the query and the text), then decomposed, and
 * final sigma taken as sigma ("Ϲ" lower-cases to "ϲ", which decomposes to "ς").
 */
export const fold = (text: string): string =>
  text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replaceAll("ς", "σ");

/**
 * The part of a query word a matching post must contain: its longest run of
 * letters and digits, cut to 4 (3 for a 4-letter word), so that
 * "caching" ~ "cache", "runs" ~ "running" and "don't" ~ "don" still count.
 */
function stem(word: string): string {
  const runs = fold(word).match(/[\p{L}\p{N}]+/gu) ?? [];
  const core = runs.reduce((longest, run) => (run.length > longest.length ? run : longest), "");
  if (core.length <= 3) return core;
  return core.slice(0, core.length === 4 ? 3 : 4);
}

/** What every matching post must contain, one entry per query word; empty: anything may match. */
export const searchStems = (query: string): string[] =>
  query
    .split(/\s+/)
    .map(stem)
    .filter((part) => part.length > 0);

/** False only when ButterCMS cannot return a post with this text for a query with these stems. */
export const couldMatch = (stems: readonly string[], text: string): boolean =>
  stems.every((part) => text.includes(part));

const names = (terms: Post["tags"]) => (terms ?? []).map((term) => `${term.name ?? ""} ${term.slug}`);

/** Every field of a post a search might look at, folded; `body` may be absent (an index entry). */
export function searchableText(post: Post): string {
  const author = post.author ? [post.author.first_name, post.author.last_name, post.author.slug] : [];
  const fields = [
    post.title,
    post.slug,
    post.summary,
    post.body,
    post.seo_title,
    post.meta_description,
    ...author,
    ...names(post.categories),
    ...names(post.tags),
  ];
  return fold(fields.filter((field) => typeof field === "string").join("\n"));
}
