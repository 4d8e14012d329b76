/**
 * The sample blog: a deterministic, realistic ButterCMS dataset used by the
 * test suite and by `npm start` without a token. Shapes follow ButterCMS's
 * API v2 post objects. Never imported by functions/ or src/.
 */
import type { Author, Post, PostStatus, Term } from "../src/butter/types.ts";

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

export const categories: Term[] = [
  { name: "Engineering", slug: "engineering" },
  { name: "Performance", slug: "performance" },
  { name: "Content Strategy", slug: "content-strategy" },
  { name: "Accessibility", slug: "accessibility" },
  { name: "Product News", slug: "product-news" },
];

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

function makePost(title: string, index: number, status: PostStatus): Post {
  const author = authors[index % authors.length] as Author;
  const category = categories[index % categories.length] as Term;
  const tagList = [tags[index % tags.length], tags[(index * 3 + 1) % tags.length]].filter(
    (tag, position, all): tag is Term => tag !== undefined && all.indexOf(tag) === position,
  );
  const slug = slugify(title);
  const published = new Date(NEWEST - index * 3 * DAY).toISOString();
  const scheduled = status === "scheduled" ? new Date(NEWEST + 30 * DAY).toISOString() : null;
  return {
    status,
    created: new Date(NEWEST - index * 3 * DAY - 2 * DAY).toISOString(),
    updated: new Date(NEWEST - index * 3 * DAY + 3_600_000).toISOString(),
    published: status === "published" ? published : null,
    scheduled,
    title,
    slug,
    url: slug,
    summary: `${title}: what we learned, what we measured, and what we would do again.`,
    seo_title: title,
    meta_description: `${title} on the sample blog.`,
    // Served by public/ so that `npm start` shows real images offline.
    featured_image: `/images/sample/cover-${(index % 6) + 1}.svg`,
    featured_image_alt: `Illustration for ${title}`,
    author: { ...author },
    categories: [{ ...category }],
    tags: tagList.map((tag) => ({ ...tag })),
    body: bodyFor(title, index, category, tagList),
  };
}

/** Published posts, newest first. */
export const publishedPosts: Post[] = TITLES.map((title, index) => makePost(title, index, "published"));

/** Unpublished posts: visible only with `preview=1` in lists, but retrievable by slug (as the real API). */
export const unpublishedPosts: Post[] = [
  ...DRAFT_TITLES.map((title, index) => makePost(title, index + 1, "draft")),
  makePost(SCHEDULED_TITLE, 0, "scheduled"),
];

export const allPosts: Post[] = [...unpublishedPosts, ...publishedPosts];
