/**
 * Netlify Blobs, the one store every instance of every function of the site
 * shares (docs/architecture.md, "Caching layers"). Reads sit on request
 * paths, so every call is bounded: each HTTP call gets `BLOBS_TIMEOUT_MS`, and
 * the client's own retries (up to 5, seconds apart) are switched off by
 * answering it a final status instead of a retryable one. A store that is
 * not configured (plain tests, benchmarks) or fails is reported as such;
 * callers decide what that means (serve, or fail closed).
 */
import { getStore } from "@netlify/blobs";

/** Per HTTP call to Blobs: short, a read must never hold a request for long. */
export const BLOBS_TIMEOUT_MS = 400;
/** Per HTTP call for the index snapshot's chunks (up to a megabyte each; off the warm path). */
export const BLOBS_BULK_TIMEOUT_MS = 5_000;
/**
 * Per HTTP call that writes: writes are the webhook's, background work's
 * and claims', never what a reader waits for, and a write cut short is a
 * change lost (a slow Blobs must not stop every publish).
 */
const BLOBS_WRITE_TIMEOUT_MS = 2_000;

export interface ReadOptions {
  /** This call's time limit instead of BLOBS_TIMEOUT_MS (rounded up to a multiple of 100 ms). */
  timeoutMs?: number;
}

export interface StoredValue<T> {
  value: T;
  etag: string;
}

export interface WriteCondition {
  /** Write only if the blob still has this ETag (compare-and-set). */
  ifMatch?: string;
  /** Write only if the blob does not exist. */
  ifNew?: boolean;
}

/** The part of a Blobs store the backend uses. Every method throws `BlobsUnavailable` on failure. */
export interface SharedStore {
  get<T>(key: string, options?: ReadOptions): Promise<StoredValue<T> | null>;
  /** True when written; false when the condition did not hold. */
  set(key: string, value: unknown, condition?: WriteCondition): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Keys under `prefix` (one page: enough for housekeeping, never on a request's critical path). */
  list(prefix: string): Promise<string[]>;
}

export class BlobsUnavailable extends Error {
  constructor(operation: string, cause: unknown) {
    super(`Netlify Blobs ${operation} failed`, {
      cause: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
    });
    this.name = "BlobsUnavailable";
  }
}

/** A status the client treats as final: it retries only network errors, 429 and 5xx. */
const GIVE_UP = 499;

const boundedFetch =
  (timeoutMs: number): typeof fetch =>
  async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      const response = await fetch(input, { ...init, signal });
      if (response.status === 429 || response.status >= 500) {
        await response.body?.cancel();
        return new Response(null, { status: GIVE_UP });
      }
      return response;
    } catch {
      return new Response(null, { status: GIVE_UP });
    }
  };

async function attempt<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new BlobsUnavailable(operation, error);
  }
}

/**
 * Where the platform puts the store's credentials, read as @netlify/blobs
 * itself reads them (the bootstrap sets the global, `netlify dev` the
 * variable): not our configuration, so not in src/core/config.ts.
 */
const blobsContext = (): string =>
  (globalThis as { netlifyBlobsContext?: string }).netlifyBlobsContext ??
  process.env.NETLIFY_BLOBS_CONTEXT ??
  "";

/** One store object per name and credentials: opening one parses the context, and this runs on hot paths. */
let opened: { name: string; context: string; store: SharedStore | null } | undefined;

/**
 * The site-wide store `name` with strong consistency (a write is visible to
 * the next read of any instance), or `null` where Netlify Blobs is not
 * configured at all.
 */
export function openSharedStore(name: string): SharedStore | null {
  const context = blobsContext();
  if (opened?.name !== name || opened.context !== context) opened = { name, context, store: open(name) };
  return opened.store;
}

function open(name: string): SharedStore | null {
  let store: ReturnType<typeof getStore>;
  try {
    store = getStore({ name, consistency: "strong", fetch: boundedFetch(BLOBS_TIMEOUT_MS) });
  } catch {
    return null; // MissingBlobsEnvironmentError: no Blobs context here
  }
  // Clients with other time limits, made on first use: the limit is the client's fetch.
  const patient = new Map<number, ReturnType<typeof getStore>>();
  const reader = (timeoutMs: number | undefined) => {
    if (timeoutMs === undefined || timeoutMs <= BLOBS_TIMEOUT_MS) return store;
    const limit = Math.ceil(timeoutMs / 100) * 100;
    let client = patient.get(limit);
    if (!client) {
      client = getStore({ name, consistency: "strong", fetch: boundedFetch(limit) });
      patient.set(limit, client);
    }
    return client;
  };
  return {
    get: <T>(key: string, options: ReadOptions = {}) =>
      attempt("read", async () => {
        const found = await reader(options.timeoutMs).getWithMetadata(key, { type: "json" });
        return found ? { value: found.data as T, etag: found.etag ?? "" } : null;
      }),
    set: (key, value, condition = {}) =>
      attempt("write", async () => {
        const options = condition.ifMatch
          ? { onlyIfMatch: condition.ifMatch }
          : condition.ifNew
            ? { onlyIfNew: true as const }
            : {};
        const result = await reader(BLOBS_WRITE_TIMEOUT_MS).setJSON(key, value, options);
        return result.modified;
      }),
    delete: (key) => attempt("delete", () => reader(BLOBS_WRITE_TIMEOUT_MS).delete(key)),
    list: (prefix) =>
      attempt("list", async () => (await store.list({ prefix })).blobs.map((blob) => blob.key)),
  };
}
