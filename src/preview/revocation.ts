/**
 * Logging out for real: a session's id (`jti`) is written to Netlify Blobs
 * (`revoked/<jti>`, with the session's expiry) and every preview-grade
 * request on every instance checks it. Public reads never do. When the
 * list cannot be read, previews fail closed (503 session_store_unavailable).
 * Entries outlive their session only until the next logout sweeps them.
 * Rotating SESSION_SECRET still ends every session at once.
 *
 * The preview/ layer: sessions, login and logout, the IP allowlist and its
 * policy. It may import core/, http/ and netlify/.
 */
import type { Config } from "../core/config.ts";
import { sessionStoreUnavailable } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { openSharedStore, type SharedStore } from "../netlify/blobs.ts";
import { type FunctionContext, runInBackground } from "../netlify/context.ts";

const PREFIX = "revoked/";
/** At most this many ended entries are swept per logout. */
const SWEEP_LIMIT = 50;

/** What revocation needs of a session (session.ts's `Session`): its id (`jti`) and when it expires anyway. */
interface Session {
  id: string;
  expiresAt: Date;
}

interface Revocation {
  expiresAt: string;
}

function storeOf(config: Config): SharedStore {
  const store = openSharedStore(config.content.storeName);
  if (!store) throw sessionStoreUnavailable("Netlify Blobs is not configured: previews fail closed");
  return store;
}

export async function isRevoked(config: Config, session: Session): Promise<boolean> {
  try {
    return (await storeOf(config).get<Revocation>(`${PREFIX}${session.id}`)) !== null;
  } catch (error) {
    throw sessionStoreUnavailable(
      `the list of ended sessions could not be read: ${(error as Error).message}`,
    );
  }
}

/** Records the revocation (awaited: the answer depends on it); the sweep of old entries runs in the background. */
export async function revokeSession(
  config: Config,
  session: Session,
  context: FunctionContext,
): Promise<void> {
  const store = storeOf(config);
  const revocation: Revocation = { expiresAt: session.expiresAt.toISOString() };
  await store.set(`${PREFIX}${session.id}`, revocation);
  runInBackground(
    context,
    sweep(store).catch((error: Error) =>
      log("warn", "session.sweep_failed", "Could not sweep ended sessions", { error: error.message }),
    ),
  );
}

/** Deletes entries whose session has expired anyway: a revoked expired token fails verification already. */
async function sweep(store: SharedStore): Promise<void> {
  const keys = (await store.list(PREFIX)).slice(0, SWEEP_LIMIT);
  const now = Date.now();
  for (const key of keys) {
    const entry = await store.get<Revocation>(key);
    if (entry && Date.parse(entry.value.expiresAt) < now) await store.delete(key);
  }
}
