import type { Config } from "@netlify/functions";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { logIn, logOut, sessionStatus } from "../src/preview/auth-handlers.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
// aggregateBy must be an array: a bare string becomes one site-wide bucket.
export const config: Config = {
  path: "/api/auth",
  rateLimit: { windowLimit: 20, windowSize: 60, aggregateBy: ["ip", "domain"] },
};

/** POST|GET|DELETE /api/auth: preview sessions (docs/http-contract.md). */
export default defineEndpoint({
  name: "auth",
  config,
  // Every method reads or writes the session: CORS only with credentials for listed origins.
  usesSession: () => true,
  // The IP allowlist's `preview` scope guards login only (docs/http-contract.md).
  revealsDrafts: (req) => req.method === "POST",
  methods: { POST: logIn, GET: sessionStatus, DELETE: logOut },
});
