/**
 * What every log line of one invocation carries without being passed down
 * through calls: the function's name and Netlify's request id, entered once
 * per invocation (`defineEndpoint`, the scheduled function), and the locale
 * and slug once the request has named them. Work an invocation leaves to
 * `waitUntil` (`runInBackground`) keeps its context: AsyncLocalStorage
 * follows promises.
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

/**
 * Invocations, and background work they left, still running. While the
 * storage is in use Node runs a hook on every promise of the process (Node
 * 20 and 22), a warm hit's too, though a hit never enters a context. So
 * the storage is switched off whenever nothing running needs it, and on
 * again by the next invocation.
 */
let running = 0;
function finished(): void {
  running -= 1;
  if (running === 0) storage.disable();
}

/** Runs one invocation: every line it logs, now or in the background (`keepLogContext`), carries `context`. */
export async function withLogContext<T>(context: LogContext, run: () => Promise<T>): Promise<T> {
  running += 1;
  try {
    return await storage.run(context, run);
  } finally {
    finished();
  }
}

/** Background work of the invocation running now: the context stays on until it settles. */
export function keepLogContext(work: Promise<unknown>): void {
  if (!storage.getStore()) return;
  running += 1;
  work.then(finished, finished);
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
