/**
 * Netlify's function path patterns (`/api/posts/:slug`, `/api/*`) matched
 * against a request path, as the platform routes: one trailing slash is
 * tolerated; `:name` is one segment; `*` is the rest.
 */
export function matchRoute(pattern: string, pathname: string): Record<string, string> | null {
  const { expression, names } = compiled(pattern);
  const match = expression.exec(pathname);
  if (!match) return null;
  return Object.fromEntries(names.map((name, index) => [name, match[index + 1] ?? ""]));
}

/** Whether `pathname` is one of `pattern`'s paths (no params built: this runs on every request). */
export const routeMatches = (pattern: string, pathname: string): boolean =>
  compiled(pattern).expression.test(pathname);

/** Patterns are compiled once: every request of every endpoint matches its own. */
const cache = new Map<string, { expression: RegExp; names: string[] }>();

function compiled(pattern: string): { expression: RegExp; names: string[] } {
  let entry = cache.get(pattern);
  if (!entry) {
    const names: string[] = [];
    const source = pattern
      .split("/")
      .map((segment) => {
        if (segment === "*") return ".*";
        if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(segment.slice(1));
        return "([^/]+)";
      })
      .join("/");
    entry = { expression: new RegExp(`^${source}/?$`), names };
    cache.set(pattern, entry);
  }
  return entry;
}
