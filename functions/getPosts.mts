import type { Config } from "@netlify/functions";
import { LIST_POSTS_QUERY, postListRepresentation } from "../src/blog/posts.ts";
import { defineReadEndpoint } from "../src/endpoint/read-endpoint.ts";
import { requirePreviewSession } from "../src/preview/session.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts" };

/** GET /api/posts: a page of posts, newest first (docs/http-contract.md). */
export default defineReadEndpoint({
  name: "getPosts",
  config,
  query: LIST_POSTS_QUERY,
  previews: requirePreviewSession,
  read: postListRepresentation,
});
