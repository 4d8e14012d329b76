/**
 * What every log line of one invocation carries without being passed down
 * through calls: the function's name and Netlify's request id, entered once
 * per invocation (`defineEndpoint`, the scheduled function), and the locale
 * and slug once the request has named them. Work an invocation leaves to
 * `waitUntil` keeps its context: AsyncLocalStorage follows promises.
 */
import { AsyncLocalStorage } from "node:async_hooks";

interface LogContext {
  /** The function's name: its file in functions/. */
  function: string;
  /** Netlify's `context.requestId`. */
  requestId: string | undefined;
  /** The locale a request names (a code from BUTTERCMS_LOCALES). */
  locale?: string;
  /** The post a request names. */
  slug?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs one invocation: every line it logs, now or in the background, carries `context`. */
export function withLogContext<T>(context: LogContext, run: () => T): T {
  return storage.run(context, run);
}

/** Adds what the request turned out to name to the lines still to come of this invocation. */
export function annotateLogContext(fields: Pick<LogContext, "locale" | "slug">): void {
  const context = storage.getStore();
  if (!context) return;
  if (fields.locale !== undefined) context.locale = fields.locale;
  if (fields.slug !== undefined) context.slug = fields.slug;
}

/** The context of the invocation running now; undefined outside one (module load, tests calling src/ directly). */
export const currentLogContext = (): LogContext | undefined => storage.getStore();
