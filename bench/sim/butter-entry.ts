/**
 * The ButterCMS side of the sim, bundled on its own (bench/sim/cli.ts) with
 * the emulator and sample data of the source tree under test: the emulator
 * answers from the sample data module's arrays, and this module changes those
 * arrays in place (edit a post, publish a draft, unpublish a post, or replace
 * the whole blog by a generated one). It relies only on the data module
 * exporting `allPosts`, `publishedPosts` and `unpublishedPosts` arrays of
 * ButterCMS post objects, and on the emulator reading them (directly or
 * through helpers) per request. Generated blogs in other locales need the
 * data module's `setLocalePosts` (trees without it have the default locale only).
 */
import { BUTTER_API, emulateButter } from "../../sample/butter-emulator.ts";
import * as data from "../../sample/data.ts";

export { BUTTER_API, emulateButter };

export interface SimPost {
  slug: string;
  title: string;
  status: string;
  published?: string | null;
  updated?: string | null;
  created?: string | null;
  body?: string;
  url?: string;
  categories?: { slug: string; name: string }[];
  tags?: { slug: string; name: string }[];
  author?: { slug: string };
  [field: string]: unknown;
}

interface Arrays {
  allPosts: SimPost[];
  publishedPosts: SimPost[];
  unpublishedPosts?: SimPost[];
  setLocalePosts?: (locale: string, posts: SimPost[]) => void;
}

const arrays = data as unknown as Arrays;

/** Posts of the generated locales other than the default, newest first (the arrays the emulator reads). */
const otherLocales = new Map<string, SimPost[]>();

/** Whether the tree's sample data can hold generated locales besides the default. */
export const supportsLocales = (): boolean => typeof arrays.setLocalePosts === "function";

/** The posts of `locale` (null: the default locale) that scenarios may change. */
function postsOf(locale: string | null): SimPost[] {
  if (locale === null) return arrays.allPosts;
  const posts = otherLocales.get(locale);
  if (!posts) throw new Error(`no generated locale ${locale}`);
  return posts;
}

let version = 0;
/** Bumped on every change, so that answers can be memoised per version. */
export const dataVersion = (): number => version;

const newestFirst = (a: SimPost, b: SimPost) =>
  String(b.published ?? "").localeCompare(String(a.published ?? ""));

/** Keeps the arrays as the data module builds them: unpublished first, then published newest first. */
function reorder(): void {
  const published = arrays.allPosts.filter((post) => post.status === "published").sort(newestFirst);
  const unpublished = arrays.allPosts.filter((post) => post.status !== "published");
  arrays.allPosts.splice(0, arrays.allPosts.length, ...unpublished, ...published);
  arrays.publishedPosts.splice(0, arrays.publishedPosts.length, ...published);
  arrays.unpublishedPosts?.splice(0, arrays.unpublishedPosts.length, ...unpublished);
  version++;
}

export const publishedPosts = (locale: string | null = null): SimPost[] =>
  postsOf(locale).filter((post) => post.status === "published");
export const draftPosts = (): SimPost[] => arrays.allPosts.filter((post) => post.status === "draft");
export const findPost = (slug: string, locale: string | null = null): SimPost | undefined =>
  postsOf(locale).find((post) => post.slug === slug);

export function terms(): { categories: string[]; tags: string[]; authors: string[] } {
  const categories = new Set<string>();
  const tags = new Set<string>();
  const authors = new Set<string>();
  for (const post of publishedPosts()) {
    for (const term of post.categories ?? []) categories.add(term.slug);
    for (const term of post.tags ?? []) tags.add(term.slug);
    if (post.author?.slug) authors.add(post.author.slug);
  }
  return { categories: [...categories], tags: [...tags], authors: [...authors] };
}

/** Changes a post's title and body (a `post.published` webhook follows). */
export function editPost(
  slug: string,
  change: { title: string; body: string; at: number },
  locale: string | null = null,
): void {
  const post = findPost(slug, locale);
  if (!post) throw new Error(`no post ${slug} in ${locale ?? "the default locale"}`);
  post.title = change.title;
  post.body = change.body;
  post.seo_title = change.title;
  post.updated = new Date(change.at).toISOString();
  version++;
}

/** Publishes a draft now, with a new title and body. */
export function publishDraft(slug: string, change: { title: string; body: string; at: number }): void {
  const post = findPost(slug);
  if (post?.status !== "draft") throw new Error(`no draft ${slug}`);
  post.status = "published";
  post.published = new Date(change.at).toISOString();
  post.updated = post.published;
  post.title = change.title;
  post.body = change.body;
  post.seo_title = change.title;
  reorder();
}

/** Unpublishes a published post: back to draft (a `post.delete` or `post.draft` webhook follows). */
export function unpublishPost(slug: string, at: number, locale: string | null = null): void {
  const post = findPost(slug, locale);
  if (post?.status !== "published") throw new Error(`no published post ${slug}`);
  post.status = "draft";
  post.published = null;
  post.updated = new Date(at).toISOString();
  if (locale === null) reorder();
  else version++;
}

function cloneAs(template: SimPost, slug: string, title: string, fields: Partial<SimPost>): SimPost {
  const post = structuredClone(template);
  post.url = typeof template.url === "string" ? template.url.replace(template.slug, slug) : slug;
  post.slug = slug;
  post.title = title;
  post.seo_title = title;
  post.summary = `${title}: what we learned, what we measured, and what we would do again.`;
  post.meta_description = `${title} on the sample blog.`;
  return Object.assign(post, fields);
}

/** Adds `count` drafts, cloned from published posts (new slugs and titles). */
export function addDrafts(count: number, at: number): string[] {
  const templates = publishedPosts();
  const slugs: string[] = [];
  for (let i = 0; i < count; i++) {
    const template = templates[i % templates.length] as SimPost;
    const slug = `sim-draft-${String(i + 1).padStart(2, "0")}`;
    const iso = new Date(at).toISOString();
    arrays.allPosts.push(
      cloneAs(template, slug, `Draft ${i + 1}: ${template.title}`, {
        status: "draft",
        published: null,
        scheduled: null,
        created: iso,
        updated: iso,
      }),
    );
    slugs.push(slug);
  }
  reorder();
  return slugs;
}

/**
 * Replaces the blog by `count` published posts cloned from the sample's
 * (titles, bodies, authors, categories and tags cycle over them), one hour
 * apart, the newest an hour before `at`. Drafts and scheduled posts are kept.
 * Each locale after the first (the default) gets the same slugs with its own
 * titles (`[es] …`), as translations: `count` posts per locale.
 */
export function generateBlog(count: number, at: number, locales: string[] = []): void {
  const templates = arrays.allPosts.filter((post) => post.status === "published");
  const unpublished = arrays.allPosts.filter((post) => post.status !== "published");
  const generate = (prefix: string): SimPost[] => {
    const generated: SimPost[] = [];
    for (let i = 0; i < count; i++) {
      const template = templates[i % templates.length] as SimPost;
      const published = new Date(at - (i + 1) * 3_600_000).toISOString();
      generated.push(
        cloneAs(template, `post-${String(i + 1).padStart(5, "0")}`, `${prefix}${template.title} (${i + 1})`, {
          status: "published",
          published,
          created: published,
          updated: published,
        }),
      );
    }
    return generated;
  };
  arrays.allPosts.splice(0, arrays.allPosts.length, ...unpublished, ...generate(""));
  for (const locale of locales.slice(1)) {
    if (!arrays.setLocalePosts) throw new Error("this tree's sample data has no setLocalePosts");
    const posts = generate(`[${locale}] `);
    for (const post of posts) {
      if (typeof post.url === "string") post.url = post.url.replace("/blog/", `/${locale}/blog/`);
    }
    otherLocales.set(locale, posts);
    arrays.setLocalePosts(locale, posts);
  }
  reorder();
}
