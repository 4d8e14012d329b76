/**
 * JSON Schemas (2020-12) of ButterCMS's read API answers, written from the
 * examples of its API reference (docs/buttercms.md lists each page). They are
 * strict (`additionalProperties: false`): a field the emulation invents, or
 * one it drops, fails the test that validates its answers against them.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const string = { type: "string" } as const;
const nullableString = { type: ["string", "null"] } as const;
const dateTime = { type: "string", format: "date-time" } as const;
const count = { type: "integer", minimum: 0 } as const;
const pageNumber = { type: ["integer", "null"], minimum: 1 } as const;
const offset = { type: ["integer", "null"], minimum: 0 } as const;

/** `{ "name", "slug" }`: categories and tags as posts embed them ("List All Posts"). */
const term = {
  type: "object",
  required: ["name", "slug"],
  properties: { name: string, slug: string },
  additionalProperties: false,
} as const;

/** An author as posts embed it and `GET /v2/authors/` lists it ("List All Authors", "Retrieve Single Post"). */
const authorProperties = {
  first_name: string,
  last_name: string,
  email: string,
  slug: string,
  bio: string,
  title: string,
  linkedin_url: nullableString,
  facebook_url: nullableString,
  instagram_url: nullableString,
  pinterest_url: nullableString,
  twitter_handle: nullableString,
  profile_image: nullableString,
} as const;
const authorRequired = ["first_name", "last_name", "slug", "bio", "title", "profile_image"];

const author = {
  type: "object",
  required: authorRequired,
  properties: authorProperties,
  additionalProperties: false,
} as const;

/**
 * A post as "List All Posts", "Retrieve Single Post" and "Search Posts" show
 * it: an absolute `url`, `featured_image` a URL or null (the sample's local
 * images are root-relative: docs/buttercms.md, "Known differences"), `body`
 * absent with `exclude_body=true`.
 */
function post(options: { body: "required" | "absent"; rank?: boolean }) {
  return {
    type: "object",
    required: [
      "url",
      "created",
      "updated",
      "published",
      "author",
      "categories",
      "tags",
      "featured_image",
      "featured_image_alt",
      "slug",
      "title",
      "summary",
      "seo_title",
      "meta_description",
      "status",
      ...(options.body === "required" ? ["body"] : []),
      ...(options.rank ? ["rank"] : []),
    ],
    properties: {
      url: { type: "string", format: "uri", pattern: "^https?://" },
      created: dateTime,
      updated: dateTime,
      published: { type: ["string", "null"], format: "date-time" },
      scheduled: { type: ["string", "null"], format: "date-time" },
      author,
      categories: { type: "array", items: term },
      tags: { type: "array", items: term },
      featured_image: { type: ["string", "null"], format: "uri-reference" },
      featured_image_alt: string,
      slug: { type: "string", pattern: "^[a-z0-9-]+$" },
      title: string,
      ...(options.body === "required" ? { body: string } : {}),
      summary: string,
      seo_title: string,
      meta_description: string,
      status: { enum: ["published", "draft", "scheduled"] },
      ...(options.rank ? { rank: { type: "number", exclusiveMinimum: 0, maximum: 1 } } : {}),
    },
    additionalProperties: false,
  } as const;
}

const pageMeta = {
  type: "object",
  required: ["count", "next_page", "previous_page"],
  properties: { count, next_page: pageNumber, previous_page: pageNumber },
  additionalProperties: false,
} as const;

/** "Request & response format": offset-based lists answer `next_offset` and `previous_offset` instead. */
const offsetMeta = {
  type: "object",
  required: ["count", "next_offset", "previous_offset"],
  properties: { count, next_offset: offset, previous_offset: offset },
  additionalProperties: false,
} as const;

const list = (meta: object, item: object) =>
  ({
    type: "object",
    required: ["meta", "data"],
    properties: { meta, data: { type: "array", items: item } },
    additionalProperties: false,
  }) as const;

/** `next_post` / `previous_post` of "Retrieve Single Post": slug, title, featured image, or null. */
const postLink = {
  type: ["object", "null"],
  required: ["slug", "title", "featured_image"],
  properties: { slug: string, title: string, featured_image: { type: ["string", "null"] } },
  additionalProperties: false,
} as const;

/** `recent_posts` items of "List All Categories": only slug, title and published; at most 10. */
const recentPosts = {
  type: "array",
  maxItems: 10,
  items: {
    type: "object",
    required: ["slug", "title", "published"],
    properties: { slug: string, title: string, published: dateTime },
    additionalProperties: false,
  },
} as const;

const termListItem = (withRecentPosts: boolean) =>
  ({
    type: "object",
    required: ["name", "slug", ...(withRecentPosts ? ["recent_posts"] : [])],
    properties: { name: string, slug: string, ...(withRecentPosts ? { recent_posts: recentPosts } : {}) },
    additionalProperties: false,
  }) as const;

const authorListItem = (withRecentPosts: boolean) =>
  ({
    type: "object",
    required: [...authorRequired, ...(withRecentPosts ? ["recent_posts"] : [])],
    properties: { ...authorProperties, ...(withRecentPosts ? { recent_posts: recentPosts } : {}) },
    additionalProperties: false,
  }) as const;

const dataList = (item: object) =>
  ({
    type: "object",
    required: ["data"],
    properties: { data: { type: "array", items: item } },
    additionalProperties: false,
  }) as const;

export const SCHEMAS = {
  postList: list(pageMeta, post({ body: "required" })),
  postListWithoutBody: list(pageMeta, post({ body: "absent" })),
  postListByOffset: list(offsetMeta, post({ body: "absent" })),
  postDetail: {
    type: "object",
    required: ["meta", "data"],
    properties: {
      meta: {
        type: "object",
        required: ["next_post", "previous_post"],
        properties: { next_post: postLink, previous_post: postLink },
        additionalProperties: false,
      },
      data: post({ body: "required" }),
    },
    additionalProperties: false,
  },
  searchResults: list(pageMeta, post({ body: "required", rank: true })),
  searchResultsWithoutBody: list(pageMeta, post({ body: "absent", rank: true })),
  termList: dataList(termListItem(false)),
  termListWithRecentPosts: dataList(termListItem(true)),
  authorList: dataList(authorListItem(false)),
  authorListWithRecentPosts: dataList(authorListItem(true)),
  /** Feeds: JSON whose `data` is the XML document (the knowledge base's sitemap example). */
  feed: {
    type: "object",
    required: ["data"],
    properties: { data: { type: "string", pattern: '^<\\?xml version="1\\.0" encoding="UTF-8"\\?>\\n<' } },
    additionalProperties: false,
  },
  /** Every error: `{ "detail": "..." }` ("HTTP status codes & errors"). */
  error: {
    type: "object",
    required: ["detail"],
    properties: { detail: { type: "string", minLength: 1 } },
    additionalProperties: false,
  },
  /** Blog-post webhook payloads ("Blog post published" and siblings). */
  postWebhook: {
    type: "object",
    required: ["data", "webhook"],
    properties: {
      data: {
        type: "object",
        required: ["id", "_id"],
        properties: { id: string, _id: { type: "integer" } },
        additionalProperties: false,
      },
      webhook: {
        type: "object",
        required: ["event", "target"],
        properties: {
          event: { enum: ["post.published", "post.draft", "post.delete"] },
          target: { type: "string", format: "uri" },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  /** "Localized blog post published" and siblings: `data.locale` names the variant. */
  localizedPostWebhook: {
    type: "object",
    required: ["data", "webhook"],
    properties: {
      data: {
        type: "object",
        required: ["id", "_id", "locale"],
        properties: { id: string, _id: { type: "integer" }, locale: { type: "string", minLength: 1 } },
        additionalProperties: false,
      },
      webhook: {
        type: "object",
        required: ["event", "target"],
        properties: {
          event: {
            enum: ["post.localization.published", "post.localization.draft", "post.localization.delete"],
          },
          target: { type: "string", format: "uri" },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
} as const;

export type SchemaName = keyof typeof SCHEMAS;

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
const validators = new Map<SchemaName, ValidateFunction>();

/** The schema's errors for `value`, as readable lines (empty when it is valid). */
export function schemaErrors(name: SchemaName, value: unknown): string[] {
  let validate = validators.get(name);
  if (!validate) {
    validate = ajv.compile(SCHEMAS[name]);
    validators.set(name, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (error: ErrorObject) =>
      `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`,
  );
}
