/**
 * A `fetch` that answers `http://blog.test/api/...` by calling the functions
 * in-process, routed by each function's own `config.path`, as Netlify
 * would. ButterCMS behind them is the sample blog's emulation (msw, started
 * by test/helpers/setup.ts). New functions are picked up by themselves.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Handler } from "../helpers/invoke.ts";
import { netlifyContext } from "../helpers/invoke.ts";

export const BASE_URL = "http://blog.test";
const ROOT = join(import.meta.dirname, "..", "..");

interface Route {
  segments: string[];
  handler: Handler;
}

let routes: Promise<Route[]> | undefined;

async function loadRoutes(): Promise<Route[]> {
  const loaded: Route[] = [];
  for (const file of readdirSync(join(ROOT, "functions")).filter((name) => /\.m?[jt]s$/.test(name))) {
    const mod = (await import(join(ROOT, "functions", file))) as {
      default: Handler;
      config?: { path?: string | string[] };
    };
    const paths = mod.config?.path === undefined ? [] : [mod.config.path].flat();
    for (const path of paths) loaded.push({ segments: path.split("/"), handler: mod.default });
  }
  return loaded;
}

/** The route whose pattern (`/api/posts/:slug`) matches the path, with its parameters. */
function match(all: Route[], pathname: string): { handler: Handler; params: Record<string, string> } | null {
  const parts = pathname.split("/");
  for (const route of all) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = route.segments.every((segment, i) => {
      const part = parts[i] ?? "";
      if (segment.startsWith(":")) {
        params[segment.slice(1)] = decodeURIComponent(part);
        return part !== "";
      }
      return segment === part;
    });
    if (matches) return { handler: route.handler, params };
  }
  return null;
}

/** Whether a function serves this route pattern (e.g. `/api/posts/:slug/related`). */
export async function hasRoute(pattern: string): Promise<boolean> {
  routes ??= loadRoutes();
  return (await routes).some((route) => route.segments.join("/") === pattern);
}

/** Every request the fetch answered, for assertions. */
export const requests: URL[] = [];

export async function inProcessFetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  if (url.origin !== BASE_URL) throw new TypeError(`inProcessFetch: ${url.origin} is not ${BASE_URL}`);
  requests.push(url);
  routes ??= loadRoutes();
  const found = match(await routes, url.pathname);
  if (!found) {
    return Response.json(
      {
        type: "about:blank",
        title: "Not Found",
        status: 404,
        detail: "No such endpoint.",
        code: "not_found",
      },
      { status: 404, headers: { "Content-Type": "application/problem+json" } },
    );
  }
  return found.handler(request, netlifyContext({ params: found.params }));
}
