/**
 * Reader traffic: page views of the demo frontend (public/app.js), each one
 * or more API requests at the CDN. A home view asks a list page plus
 * `/api/categories` and `/api/tags` (as the frontend does); a post view asks
 * the post; search, feed and author views ask one URL each. Popularity is
 * Zipf within each kind (posts by a recency-biased order, list pages by page
 * number, terms and queries by their order). With several locales, half the
 * views are in the default locale and the rest spread evenly over the others
 * (`?locale=<code>` on posts, lists, searches and feeds; term lists have no locale).
 *
 * `upstreamFor` maps a public URL to the ButterCMS request that answers it by
 * the contract (docs/http-contract.md), for the ground truth of the
 * visibility probes; it is not how the functions are built.
 */
import type { ButterModule } from "./butter.ts";
import { pick, Zipf } from "./random.ts";

export interface TrafficOptions {
  pageSize: number;
  /** Extra requests a post view makes, when the deploy has a function for them (e.g. related posts). */
  postExtras: ((slug: string) => string)[];
  /** The site's locales, null for the default (default `[null]`). */
  locales?: (string | null)[];
  /** Searches readers make besides the title words (e.g. words only a stemming search matches). */
  extraQueries?: string[];
}

/** `url` in `locale` (null: the default, no parameter). */
export function inLocale(url: string, locale: string | null): string {
  if (locale === null) return url;
  return `${url}${url.includes("?") ? "&" : "?"}locale=${locale}`;
}

const zipfs = new Map<number, Zipf>();
const zipf = (n: number): Zipf => {
  let z = zipfs.get(n);
  if (!z) {
    z = new Zipf(n, 1);
    zipfs.set(n, z);
  }
  return z;
};

export class Universe {
  /** Published slugs, most popular first. */
  popularity: string[] = [];
  categories: string[] = [];
  tags: string[] = [];
  authors: string[] = [];
  pages = 1;
  queries: string[] = [];

  constructor(
    private readonly butter: ButterModule,
    private readonly random: () => number,
    readonly options: TrafficOptions,
  ) {
    const published = butter.publishedPosts();
    // Newer posts are read more: order by recency, shuffled a little.
    const keyed = published.map((post, index) => ({ slug: post.slug, key: index * (0.5 + random()) }));
    this.popularity = keyed.sort((a, b) => a.key - b.key).map((entry) => entry.slug);
    this.refreshTerms();
    const words = new Map<string, number>();
    for (const post of published.slice(0, 200)) {
      for (const word of post.title.toLowerCase().split(/[^a-z]+/)) {
        if (word.length >= 5) words.set(word, (words.get(word) ?? 0) + 1);
      }
    }
    this.queries = [...words.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 12)
      .map(([word]) => word);
    for (const query of options.extraQueries ?? [])
      if (!this.queries.includes(query)) this.queries.push(query);
  }

  get locales(): (string | null)[] {
    return this.options.locales ?? [null];
  }

  /** Half the views in the default locale, the rest evenly over the others. */
  private locale(): string | null {
    const locales = this.locales;
    if (locales.length === 1 || this.random() < 0.5) return null;
    return locales[1 + Math.floor(this.random() * (locales.length - 1))] ?? null;
  }

  private refreshTerms(): void {
    const terms = this.butter.terms();
    this.categories = terms.categories;
    this.tags = terms.tags;
    this.authors = terms.authors;
    this.pages = Math.max(1, Math.ceil(this.butter.publishedPosts().length / this.options.pageSize));
  }

  /** A post was just published: new posts are popular at once. */
  published(slug: string): void {
    if (!this.popularity.includes(slug)) this.popularity.splice(Math.min(2, this.popularity.length), 0, slug);
    this.refreshTerms();
  }

  private listUrl(): string {
    const r = this.random();
    const page = (pages: number) => 2 + zipf(Math.max(1, pages - 1)).sample(this.random);
    if (r < 0.55 || this.pages < 2) return "/api/posts";
    if (r < 0.75) return `/api/posts?page=${page(this.pages)}`;
    const filter = (name: string, values: string[]) => {
      const value = values[zipf(values.length).sample(this.random)] as string;
      return this.random() < 0.8 ? `/api/posts?${name}=${value}` : `/api/posts?page=2&${name}=${value}`;
    };
    if (r < 0.9) return filter("category", this.categories);
    if (r < 0.98) return filter("tag", this.tags);
    return filter("author", this.authors);
  }

  /** The API requests of one page view. */
  view(): string[] {
    const locale = this.locale();
    const r = this.random();
    if (r < 0.6) {
      const slug = this.popularity[zipf(this.popularity.length).sample(this.random)] as string;
      return [`/api/posts/${slug}`, ...this.options.postExtras.map((extra) => extra(slug))].map((url) =>
        inLocale(url, locale),
      );
    }
    if (r < 0.9) return [inLocale(this.listUrl(), locale), "/api/categories", "/api/tags"];
    if (r < 0.94) {
      const query = this.queries[zipf(this.queries.length).sample(this.random)] as string;
      return [inLocale(`/api/search?q=${encodeURIComponent(query)}`, locale)];
    }
    if (r < 0.98) {
      const f = this.random();
      if (f < 0.5) return [inLocale("/api/feeds/rss", locale)];
      if (f < 0.7) return [inLocale("/api/feeds/atom", locale)];
      if (f < 0.9) return [inLocale("/api/feeds/sitemap", locale)];
      return [inLocale(`/api/feeds/rss?category=${pick(this.random, this.categories)}`, locale)];
    }
    return ["/api/authors?include=recent_posts"];
  }

  /** Every cacheable URL readers may ask in `locale` that can list a post (not the post pages themselves). */
  listingUrls(locale: string | null = null): string[] {
    return this.defaultListingUrls()
      .filter((url) => locale === null || !url.startsWith("/api/authors"))
      .map((url) => inLocale(url, locale));
  }

  private defaultListingUrls(): string[] {
    const urls = ["/api/posts"];
    for (let page = 2; page <= Math.min(this.pages, 50); page++) urls.push(`/api/posts?page=${page}`);
    for (const [name, values] of [
      ["category", this.categories],
      ["tag", this.tags],
      ["author", this.authors],
    ] as const) {
      for (const value of values)
        urls.push(`/api/posts?${name}=${value}`, `/api/posts?page=2&${name}=${value}`);
    }
    for (const query of this.queries) urls.push(`/api/search?q=${encodeURIComponent(query)}`);
    urls.push("/api/feeds/rss", "/api/feeds/atom", "/api/feeds/sitemap", "/api/authors?include=recent_posts");
    for (const category of this.categories) urls.push(`/api/feeds/rss?category=${category}`);
    return urls;
  }
}

/** The ButterCMS request that answers a public URL by the contract, or null (post pages, unknown URLs). */
export function upstreamFor(publicUrl: string, pageSize: number): string | null {
  const url = new URL(publicUrl, "https://x.invalid");
  const q = url.searchParams;
  const params = new URLSearchParams();
  const locale = q.get("locale");
  if (url.pathname === "/api/posts") {
    params.set("page", q.get("page") ?? "1");
    params.set("page_size", String(pageSize));
    params.set("exclude_body", "true");
    for (const [name, upstream] of [
      ["category", "category_slug"],
      ["tag", "tag_slug"],
      ["author", "author_slug"],
    ] as const) {
      const value = q.get(name);
      if (value) params.set(upstream, value);
    }
    if (locale) params.set("locale", locale);
    return `/posts/?${params}`;
  }
  if (url.pathname === "/api/search") {
    params.set("query", q.get("q") ?? "");
    params.set("page", q.get("page") ?? "1");
    params.set("page_size", String(pageSize));
    if (locale) params.set("locale", locale);
    return `/posts/search/?${params}`;
  }
  const feed = /^\/api\/feeds\/(rss|atom|sitemap)$/.exec(url.pathname);
  if (feed) {
    if (q.get("category")) params.set("category_slug", q.get("category") as string);
    if (q.get("tag")) params.set("tag_slug", q.get("tag") as string);
    if (locale) params.set("locale", locale);
    return `/feeds/${feed[1]}/?${params}`;
  }
  const terms = /^\/api\/(categories|tags|authors)$/.exec(url.pathname);
  if (terms) {
    if (q.get("include")) params.set("include", q.get("include") as string);
    return `/${terms[1]}/?${params}`;
  }
  return null;
}

/** Whether a ButterCMS answer lists the post `slug` (JSON `"slug":"…"`, or a feed's `/slug` link). */
export function mentions(body: string, slug: string): boolean {
  if (body.includes(`"slug":"${slug}"`)) return true;
  return new RegExp(`/${slug.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:[<"/?#]|\\\\")`).test(body);
}
