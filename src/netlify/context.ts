/**
 * The netlify/ layer is the only folder of src/ that imports `@netlify/*`:
 * the function `Context` (here), the `netlify dev` quirks (dev-retry.ts),
 * CDN purges (purge.ts) and Netlify Blobs (blobs.ts). It may import core/
 * only; everything above reaches the platform through it.
 *
 * This module knows the shape of Netlify's function `Context`.
 * The client IP is Netlify's `context.ip`: no request header (X-Forwarded-For,
 * Forwarded, X-Real-IP, ...) is ever trusted for it.
 */
import type { Context } from "@netlify/functions";

/** What handlers need of the context; tests build it by hand. */
export type FunctionContext = Pick<Context, "ip" | "params" | "requestId"> & {
  deploy?: Partial<Context["deploy"]>;
  waitUntil?: Context["waitUntil"];
};

/**
 * A function's default export, as Netlify calls it (its own `FetchHandler`
 * type): a warm hit answers synchronously, without a promise of its own.
 */
export type NetlifyHandler = (req: Request, context: Context) => Response | Promise<Response>;

export const clientIp = (context: FunctionContext): string => context.ip ?? "";

/**
 * The deploy context at run time: "production", "deploy-preview",
 * "branch-deploy", or "dev"/"" under `netlify dev` (then reported as "dev").
 */
export function deployContext(context: FunctionContext): string {
  const value = context.deploy?.context;
  return value ? value : "dev";
}

/** A path parameter, percent-decoded (Netlify passes them raw); `null` if the encoding is broken. */
export function pathParam(context: FunctionContext, name: string): string | null {
  const raw = context.params?.[name];
  if (raw === undefined) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** Runs background work after the response where the platform allows it. */
export function runInBackground(context: FunctionContext, work: Promise<unknown>): void {
  if (context.waitUntil) context.waitUntil(work);
}

/**
 * `work`'s result if it settles within `ms`; otherwise `{ done: false }`,
 * and the work goes on after the response (a failure then is only logged by
 * whoever made it: it can no longer change the answer).
 */
export async function settleWithin<T>(
  context: FunctionContext,
  work: Promise<T>,
  ms: number,
): Promise<{ done: true; value: T } | { done: false }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    const result = await Promise.race([work.then((value) => ({ done: true as const, value })), late]);
    if (!result.done)
      runInBackground(
        context,
        work.catch(() => undefined),
      );
    return result;
  } finally {
    clearTimeout(timer);
  }
}
