import type { Config } from "@netlify/functions";
import { ipNotAllowed } from "../src/core/errors.ts";
import { defineEndpoint } from "../src/endpoint/define-endpoint.ts";
import { parseQuery } from "../src/http/query.ts";
import { jsonResponse } from "../src/http/representation.ts";
import { clientIp } from "../src/netlify/context.ts";
import { evaluateIp } from "../src/preview/ip-policy.ts";

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { path: "/api/ip-allowlist" };

/** GET /api/ip-allowlist: is the caller's IP (Netlify's context.ip) allowed? */
export default defineEndpoint({
  name: "ipAllowlist",
  config,
  ipPolicy: "reported",
  methods: {
    GET: async ({ url, config, context }) => {
      parseQuery(url.searchParams, {});
      const ip = clientIp(context);
      const decision = await evaluateIp(config.ipPolicy, ip);
      if (!decision.allowed) throw ipNotAllowed(ip);
      return jsonResponse({ ip, allowed: true, configured: decision.configured });
    },
  },
});
