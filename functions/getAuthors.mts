import type { Config } from "@netlify/functions";
import { termListEndpoint } from "../src/endpoint/term-list-endpoint.ts";

/** GET /api/authors: all authors (with their recent posts on request); `include=recent_posts` embeds each one's newest posts. */
export default termListEndpoint("getAuthors", "author", () => config.path);

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/authors" };
