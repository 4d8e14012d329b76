import type { Config } from "@netlify/functions";
import { LIST_POSTS_QUERY, postListRepresentation } from "../src/blog/posts.ts";
import { definePostsEndpoint } from "../src/endpoint/post-endpoint.ts";

/** GET /api/posts: a page of posts, newest first (docs/http-contract.md). */
export default definePostsEndpoint("getPosts", () => config.path, LIST_POSTS_QUERY, postListRepresentation);

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts" };
