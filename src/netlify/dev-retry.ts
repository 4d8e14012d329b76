/**
 * Undoes a `netlify dev` quirk (netlify-cli 27, dist/utils/proxy.js): when a
 * function answers 404 or 403, the dev proxy re-sends the request to the same
 * function with `.html`, `.htm`, `/index.html` and `/index.htm` appended to
 * the path (with `context.params` empty for the last two), and returns the
 * last answer. Left alone, `GET /api/posts/no-such-post` would end as a 400
 * for the slug `no-such-post.html`. Under `netlify dev` only, we strip those
 * suffixes and re-match the function's route, so that every retry computes
 * the original answer. Production never retries.
 */
import type { FunctionContext } from "./context.ts";
import { matchRoute } from "./route-pattern.ts";

const RETRY_SUFFIX = /(?:\.html?|\/index\.html?)$/;

export function undoDevRetry(
  req: Request,
  context: FunctionContext,
  route: string | undefined,
): { url: URL; context: FunctionContext } {
  const url = new URL(req.url);
  if (!RETRY_SUFFIX.test(url.pathname)) return { url, context };
  url.pathname = url.pathname.replace(RETRY_SUFFIX, "");
  const params = route ? matchRoute(route, url.pathname) : null;
  return { url, context: params ? { ...context, params } : context };
}
