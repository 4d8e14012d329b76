/**
 * The sample blog: a deterministic, realistic ButterCMS dataset used by the
 * test suite and by `npm start` without a token. Shapes follow the post,
 * author and term objects of ButterCMS's API reference (docs/buttercms.md,
 * "The sample blog"). Never imported by functions/ or src/.
 */
import type { Author, Post, PostStatus, Term } from "../src/butter/types.ts";

/** The blog's own site: ButterCMS builds each post's absolute `url` from it. */
export const SAMPLE_SITE = "https://sample-blog.example";

/** The organisation's locales, default first (set BUTTERCMS_LOCALES from this). */
export const SAMPLE_LOCALES = ["en", "es"] as const;
export type SampleLocale = (typeof SAMPLE_LOCALES)[number];
export const DEFAULT_LOCALE: SampleLocale = SAMPLE_LOCALES[0];
export const isSampleLocale = (value: string): value is SampleLocale =>
  (SAMPLE_LOCALES as readonly string[]).includes(value);

const socials = (handle: string) => ({
  facebook_url: "",
  linkedin_url: `https://www.linkedin.com/in/${handle}`,
  instagram_url: "",
  pinterest_url: "",
  twitter_handle: handle,
});

export const authors: Author[] = [
  {
    slug: "ada-okafor",
    first_name: "Ada",
    last_name: "Okafor",
    email: "ada.okafor@example.com",
    bio: "Ada writes about web performance and the edge.",
    title: "Staff Engineer",
    profile_image: "https://cdn.buttercms.com/sample/ada.jpg",
    ...socials("adaokafor"),
  },
  {
    slug: "lucas-moreau",
    first_name: "Lucas",
    last_name: "Moreau",
    email: "lucas.moreau@example.com",
    bio: "Lucas builds content pipelines for static sites.",
    title: "Developer Advocate",
    profile_image: "https://cdn.buttercms.com/sample/lucas.jpg",
    ...socials("lucasmoreau"),
  },
  {
    slug: "mei-tanaka",
    first_name: "Mei",
    last_name: "Tanaka",
    email: "mei.tanaka@example.com",
    bio: "Mei leads design systems and accessibility work.",
    title: "Design Engineer",
    profile_image: "https://cdn.buttercms.com/sample/mei.jpg",
    ...socials("meitanaka"),
  },
];

/**
 * Every category defined in the dashboard. The API lists only those with a
 * published post: "Events" has a draft only, so `GET /v2/categories/` leaves
 * it out (see `listedCategories`).
 */
export const categories: Term[] = [
  { name: "Engineering", slug: "engineering" },
  { name: "Performance", slug: "performance" },
  { name: "Content Strategy", slug: "content-strategy" },
  { name: "Accessibility", slug: "accessibility" },
  { name: "Product News", slug: "product-news" },
  { name: "Events", slug: "events" },
];

/** The categories published posts use: five of six (the others cycle over these). */
const POST_CATEGORIES = categories.slice(0, 5);

export const tags: Term[] = [
  { name: "Netlify", slug: "netlify" },
  { name: "ButterCMS", slug: "buttercms" },
  { name: "Caching", slug: "caching" },
  { name: "TypeScript", slug: "typescript" },
  { name: "Serverless", slug: "serverless" },
  { name: "SEO", slug: "seo" },
  { name: "Security", slug: "security" },
  { name: "Design", slug: "design" },
];

const TITLES = [
  "Shipping a Headless Blog in an Afternoon",
  "What the CDN Cache Key Really Contains",
  "Stale While Revalidate Explained with Diagrams",
  "Writing Alt Text That Helps",
  "Typed Errors for Serverless Functions",
  "Preview Drafts Without Leaking Them",
  "A Field Guide to Cache Tags",
  "Measuring Cold Starts Honestly",
  "Content Modelling for Growing Teams",
  "Keyboard Navigation Checklist",
  "Why Your API Should Reject Unknown Parameters",
  "Rate Limits and Retry-After in Practice",
  "From Markdown to Structured Content",
  "Colour Contrast Beyond the Minimum",
  "Deploy Previews as a Review Tool",
  "Single Flight Requests in Node",
  "Sitemaps That Search Engines Trust",
  "Designing Problem Details Responses",
  "Image Formats for the Modern Web",
  "IP Allowlists Done Right",
  "Editorial Workflows with Scheduled Posts",
  "Testing Serverless Functions Without the Network",
  "The Cost of a Redirect",
  "Focus States Worth Keeping",
  "JSON Web Tokens Without the Footguns",
  "Building an RSS Feed People Use",
  "ETags and Conditional Requests",
  "Localising a Static Blog",
  "Error States Are Part of the Design",
  "Purging the CDN on Publish",
  "Security Headers for JSON APIs",
  "Our Year in Content",
];

const DRAFT_TITLES = [
  "Draft: Edge Rendering Trade-offs",
  "Draft: A New Editorial Calendar",
  "Draft: Revisiting Our Font Stack",
];

const SCHEDULED_TITLE = "Coming Soon: The Winter Release";

/**
 * Published posts without a featured image (the API answers `null` and an
 * empty alt, as in the "List All Posts" example), by index in TITLES.
 */
const WITHOUT_IMAGE = new Set([7, 16, 23]);

/**
 * Published posts whose featured image is a ButterCMS upload on its CDN
 * (`https://cdn.buttercms.com/<handle>`), by index. They cannot load offline:
 * the demo frontend falls back. Kept off the first page of the list.
 */
const CDN_IMAGES = new Map([
  [12, "tQ9vXcR2SLa8kBmYf3Zw"],
  [20, "Hn4pLd7eTyU1oWqK6sVb"],
]);

export const slugify = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function bodyFor(title: string, index: number, category: Term, tagList: Term[]): string {
  const safe = escapeHtml(title);
  return [
    `<p>${safe} is a question we get asked often. This post walks through what we learned while running a ButterCMS blog on Netlify.</p>`,
    `<h2>Why it matters</h2>`,
    `<p>Readers notice slow pages and broken states long before they notice clever code. ${escapeHtml(category.name)} work pays for itself when it is measured.</p>`,
    `<figure><img src="/images/sample/cover-${((index + 3) % 6) + 1}.svg" alt="Diagram for ${safe}" width="1200" height="630"><figcaption>Figure ${index + 1}: the moving parts.</figcaption></figure>`,
    `<h2>What we did</h2>`,
    `<ul>${tagList.map((tag) => `<li>Looked at ${escapeHtml(tag.name)} first.</li>`).join("")}<li>Wrote the decision down.</li></ul>`,
    `<h3>The code</h3>`,
    `<pre><code class="language-ts">const response = await fetch("/api/posts?page=${(index % 3) + 1}");\nconst { data } = await response.json();</code></pre>`,
    `<ol><li>Measure.</li><li>Change one thing.</li><li>Measure again.</li></ol>`,
    `<blockquote><p>Make it work, make it right, make it fast.</p></blockquote>`,
    `<p>That is all for now. Questions are welcome.</p>`,
  ].join("\n");
}

const DAY = 86_400_000;
const NEWEST = Date.UTC(2026, 10, 20, 9, 30, 0);

/** The post's address on the blog, absolute as in every documented example. */
export const postUrl = (slug: string, locale: SampleLocale = DEFAULT_LOCALE): string =>
  locale === DEFAULT_LOCALE ? `${SAMPLE_SITE}/blog/${slug}` : `${SAMPLE_SITE}/${locale}/blog/${slug}`;

function featuredImage(index: number, status: PostStatus): string | null {
  if (status === "published" && WITHOUT_IMAGE.has(index)) return null;
  const handle = status === "published" ? CDN_IMAGES.get(index) : undefined;
  // Local files served by public/, so that `npm start` shows real images offline.
  return handle ? `https://cdn.buttercms.com/${handle}` : `/images/sample/cover-${(index % 6) + 1}.svg`;
}

function makePost(title: string, index: number, status: PostStatus, category?: Term): Post {
  const author = authors[index % authors.length] as Author;
  const postCategory = category ?? (POST_CATEGORIES[index % POST_CATEGORIES.length] as Term);
  const tagList = [tags[index % tags.length], tags[(index * 3 + 1) % tags.length]].filter(
    (tag, position, all): tag is Term => tag !== undefined && all.indexOf(tag) === position,
  );
  const slug = slugify(title);
  const published = new Date(NEWEST - index * 3 * DAY).toISOString();
  const scheduled = status === "scheduled" ? new Date(NEWEST + 30 * DAY).toISOString() : null;
  const image = featuredImage(index, status);
  return {
    url: postUrl(slug),
    created: new Date(NEWEST - index * 3 * DAY - 2 * DAY).toISOString(),
    updated: new Date(NEWEST - index * 3 * DAY + 3_600_000).toISOString(),
    published: status === "published" ? published : null,
    scheduled,
    author: { ...author },
    categories: [{ ...postCategory }],
    tags: tagList.map((tag) => ({ ...tag })),
    featured_image: image,
    featured_image_alt: image === null ? "" : `Illustration for ${title}`,
    slug,
    title,
    body: bodyFor(title, index, postCategory, tagList),
    summary: `${title}: what we learned, what we measured, and what we would do again.`,
    seo_title: title,
    meta_description: `${title} on the sample blog.`,
    status,
  };
}

/** Published posts in the default locale, newest first (32). */
export const publishedPosts: Post[] = TITLES.map((title, index) => makePost(title, index, "published"));

/** Unpublished posts: visible only with `preview=1` in lists, but retrievable by slug (as the real API). */
export const unpublishedPosts: Post[] = [
  ...DRAFT_TITLES.map((title, index) =>
    makePost(title, index + 1, "draft", index === 1 ? categories[5] : undefined),
  ),
  makePost(SCHEDULED_TITLE, 0, "scheduled"),
];

/** Every post of the default locale, unpublished first. */
export const allPosts: Post[] = [...unpublishedPosts, ...publishedPosts];

/** Spanish translations of the eight newest posts: title, summary, body and SEO fields. */
const SPANISH: { title: string; summary: string; lead: string }[] = [
  {
    title: "Publicar un blog headless en una tarde",
    summary: "Cómo pusimos en marcha un blog con ButterCMS y Netlify en pocas horas.",
    lead: "Montar un blog headless parece un proyecto largo, pero no tiene por qué serlo.",
  },
  {
    title: "Qué contiene realmente la clave de caché del CDN",
    summary: "La ruta, la consulta y algunas cabeceras: qué entra en la clave y qué no.",
    lead: "Cada variante de una URL puede convertirse en una entrada distinta de la caché.",
  },
  {
    title: "Stale-while-revalidate explicado con diagramas",
    summary: "Servir una copia antigua mientras se refresca en segundo plano, paso a paso.",
    lead: "La directiva stale-while-revalidate cambia cómo percibe el lector la latencia.",
  },
  {
    title: "Cómo escribir texto alternativo que ayude",
    summary: "Describir la función de una imagen, no su aspecto: ejemplos y contraejemplos.",
    lead: "Un buen texto alternativo cuenta lo que la imagen aporta al artículo.",
  },
  {
    title: "Errores tipados para funciones serverless",
    summary: "Una familia de errores con códigos estables y una única respuesta de problema.",
    lead: "Los errores de una API son parte de su contrato, igual que sus respuestas.",
  },
  {
    title: "Previsualizar borradores sin filtrarlos",
    summary: "Sesiones de vista previa, cabeceras de caché privadas y un 404 para los curiosos.",
    lead: "Un borrador nunca debe llegar a la caché pública del CDN.",
  },
  {
    title: "Guía práctica de las etiquetas de caché",
    summary: "Purgar exactamente lo que cambió al publicar, sin vaciar todo el CDN.",
    lead: "Las etiquetas de caché permiten purgar una entrada sin tocar las demás.",
  },
  {
    title: "Medir los arranques en frío con honestidad",
    summary: "Qué medir, cuántas veces y por qué la mediana no lo cuenta todo.",
    lead: "Un arranque en frío solo se mide bien en un proceso nuevo.",
  },
];

function translate(original: Post, text: (typeof SPANISH)[number], index: number): Post {
  const title = escapeHtml(text.title);
  return {
    ...original,
    url: postUrl(original.slug, "es"),
    // Translated a day after the original was published.
    published: new Date(Date.parse(String(original.published)) + DAY).toISOString(),
    updated: new Date(Date.parse(String(original.updated)) + DAY).toISOString(),
    featured_image_alt: original.featured_image === null ? "" : `Ilustración de ${text.title}`,
    title: text.title,
    body: [
      `<p>${escapeHtml(text.lead)} Este artículo resume lo que aprendimos con un blog de ButterCMS en Netlify.</p>`,
      `<h2>Por qué importa</h2>`,
      `<p>${escapeHtml(text.summary)}</p>`,
      `<figure><img src="/images/sample/cover-${((index + 3) % 6) + 1}.svg" alt="Diagrama de ${title}" width="1200" height="630"><figcaption>Figura ${index + 1}: las piezas.</figcaption></figure>`,
      `<ol><li>Medir.</li><li>Cambiar una cosa.</li><li>Volver a medir.</li></ol>`,
      `<p>Eso es todo por ahora. Las preguntas son bienvenidas.</p>`,
    ].join("\n"),
    summary: text.summary,
    seo_title: text.title,
    meta_description: `${text.title} en el blog de ejemplo.`,
  };
}

/**
 * The Spanish versions of the eight newest published posts: the same slug,
 * author, categories and tags (shared across locales), translated text.
 */
export const translatedPosts: Post[] = SPANISH.map((text, index) =>
  translate(publishedPosts[index] as Post, text, index),
);

/**
 * Posts of a locale put in place of the sample's (a generated blog in the
 * default locale is put in the arrays above instead), or of a locale the
 * sample does not have: none unless a tool sets some (bench/sim's generated
 * blogs in several locales). Every locale set here is a configured locale of
 * the organisation; any other answers 400 as before.
 */
const localePosts = new Map<string, Post[]>();

/** Makes `posts` (unpublished ones included) the content of `locale`, which must not be the default. */
export function setLocalePosts(locale: string, posts: Post[]): void {
  if (locale === DEFAULT_LOCALE) throw new Error("the default locale's posts are the arrays of this module");
  localePosts.set(locale, posts);
}

/** The organisation's locales, the default first: the sample's, then any set with `setLocalePosts`. */
export const configuredLocales = (): string[] => [
  ...new Set<string>([...SAMPLE_LOCALES, ...localePosts.keys()]),
];

export const isConfiguredLocale = (value: string): boolean => isSampleLocale(value) || localePosts.has(value);

/**
 * Every post of a locale, unpublished ones included, read from the arrays
 * above on every call: a test that edits or removes a post sees the emulation
 * answer accordingly.
 */
export const postsIn = (locale: string): Post[] =>
  localePosts.get(locale) ??
  (locale === "es"
    ? translatedPosts
    : locale === DEFAULT_LOCALE
      ? [...unpublishedPosts, ...publishedPosts]
      : []);

/** Published posts of a locale, newest first. */
export const publishedIn = (locale: string): Post[] =>
  postsIn(locale).filter((post) => post.status === "published");

/** The categories `GET /v2/categories/` lists: those with a published post in any locale. */
export const categoriesWithPublishedPosts = (): Term[] =>
  categories.filter((category) =>
    configuredLocales().some((locale) =>
      publishedIn(locale).some((post) => (post.categories ?? []).some((term) => term.slug === category.slug)),
    ),
  );

/** `categoriesWithPublishedPosts()` of the sample as it ships (5 of 6). */
export const listedCategories: Term[] = categoriesWithPublishedPosts();
