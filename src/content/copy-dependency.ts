/**
 * What of a post change can alter a shared copy, for the two cases
 * ButterCMS documents well enough to skip asking it again after a publish
 * (docs/architecture.md, "What a publish costs"):
 *
 * - a feed filtered by a category or tag lists only posts in it, so a
 *   change to a post that was in it neither before nor after cannot alter it;
 * - a term list without recent posts lists terms, not posts: categories
 *   while they have a published post, tags and authors always; only a post
 *   taking a term it did not have (or a category losing one) can alter it.
 *
 * Everything else (searches, unfiltered feeds, the sitemap) is asked again
 * after every change of its locale: how ButterCMS matches a search is not
 * documented, and a guess would show a search without a new post.
 */
import type { TermResource } from "../butter/types.ts";
import type { PostEffect, PostFacts } from "./index-changes.ts";

export type CopyDependency =
  /** A feed narrowed to a category and/or tag. */
  | { kind: "terms"; category?: string | undefined; tag?: string | undefined }
  /** A term list (without recent posts). */
  | { kind: "term-list"; resource: TermResource };

/** Whether every change in `effects` leaves a copy with this dependency as it was. */
export const unaltered = (effects: readonly PostEffect[], dependency: CopyDependency): boolean =>
  effects.every((effect) => !effectAlters(effect, dependency));

const termsOf = (side: PostFacts | null, resource: TermResource): string[] => {
  if (side === null) return [];
  if (resource === "author") return side.author === null ? [] : [side.author];
  return resource === "category" ? side.categories : side.tags;
};

function inFilter(
  side: PostFacts | null,
  filter: { category?: string | undefined; tag?: string | undefined },
) {
  if (side === null) return false;
  if (filter.category === undefined && filter.tag === undefined) return true;
  return (
    (filter.category !== undefined && side.categories.includes(filter.category)) ||
    (filter.tag !== undefined && side.tags.includes(filter.tag))
  );
}

/** Whether this change of one post can have altered a copy with this dependency. */
function effectAlters(effect: PostEffect, dependency: CopyDependency): boolean {
  if (effect.before === "unknown") return true;
  const before = effect.before;
  if (dependency.kind === "terms") return inFilter(before, dependency) || inFilter(effect.after, dependency);
  const old = new Set(termsOf(before, dependency.resource));
  const now = new Set(termsOf(effect.after, dependency.resource));
  const added = [...now].some((slug) => !old.has(slug));
  // A category may have lost its last published post; a tag or author stays listed.
  const removed = dependency.resource === "category" && [...old].some((slug) => !now.has(slug));
  return added || removed;
}
