import type { Config } from "@netlify/functions";
import { POST_QUERY, postRepresentation } from "../src/blog/posts.ts";
import { defineSlugEndpoint } from "../src/endpoint/post-endpoint.ts";

/** GET /api/posts/:slug: one post; unpublished posts only for authorised previews. */
export default defineSlugEndpoint("getPost", () => config.path, POST_QUERY, postRepresentation);

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/posts/:slug" };
