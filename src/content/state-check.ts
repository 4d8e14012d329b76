/**
 * The shared site state, read at most every STATE_CHECK_MS per instance:
 * what tells an instance that a locale moved on. Also the moment an
 * instance finishes a CDN purge that is owed and adds the ButterCMS calls it
 * counted to the month's counter (both in the background).
 */
import { CURRENT, type Freshness, UNVERIFIED } from "../http/freshness.ts";
import { openSharedStore } from "../netlify/blobs.ts";
import { runInBackground } from "../netlify/context.ts";
import { siteState } from "./instance-state.ts";
import { completeOwedPurge } from "./owed-purge.ts";
import type { ReadScope } from "./read-scope.ts";
import { flushUsage } from "./usage.ts";

/**
 * What `checkSiteState` would answer, when it can say without any I/O:
 * `current` within STATE_CHECK_MS of the last look, `unverified` where there
 * is no Blobs at all; undefined when a read is due. A warm hit needs no more.
 */
export function knownSiteState(scope: ReadScope): Freshness | undefined {
  if (siteState.isCurrent()) return CURRENT;
  return openSharedStore(scope.config.content.storeName) ? undefined : UNVERIFIED;
}

/** `current` when this instance saw the shared state within STATE_CHECK_MS; `unverified` when it could not. */
export async function checkSiteState(scope: ReadScope): Promise<Freshness> {
  if (siteState.isCurrent()) return CURRENT;
  const store = openSharedStore(scope.config.content.storeName);
  if (!store) return UNVERIFIED; // no Blobs here at all (plain tests, benchmarks)
  flushUsage(scope, store);
  const view = await siteState.current(store);
  if (view.state.owedPurge && view.state.owedPurge.nextAt <= Date.now()) {
    runInBackground(scope.context, completeOwedPurge(store, siteState));
  }
  return view.verified ? CURRENT : UNVERIFIED;
}
