/**
 * The small state every instance of every function shares through Netlify
 * Blobs (one blob, `site-state`): per locale the generation of the
 * published index and the change records that lead to it, the posts
 * removed lately, when the index was last compared with ButterCMS; the
 * ButterCMS quota outage if one is known; CDN purges still owed; the last
 * webhook. Instances read it at most every `STATE_CHECK_MS`, so a publish
 * is noticed everywhere within that time without one Blobs read per
 * request (docs/architecture.md, "Freshness"). It stays a few kilobytes:
 * every list in it is bounded.
 */
import { log } from "../core/log.ts";
import { BlobsUnavailable, type ReadOptions, type SharedStore } from "../netlify/blobs.ts";

/** How stale an instance's view of the shared state may be. */
export const STATE_CHECK_MS = 2_000;
/**
 * The time limit of an instance's state check (one small read every
 * STATE_CHECK_MS at most, off the warm-hit path): longer than other reads,
 * because an instance that cannot read the state keeps serving what it saw
 * before, which a slow Blobs must not make it do.
 */
const STATE_READ_TIMEOUT_MS = 1_000;
const STATE_KEY = "site-state";
const MAX_CAS_ATTEMPTS = 4;

export interface QuotaOutage {
  /** When ButterCMS said the quota resets (epoch ms). */
  until: number;
  /** When the next probe call may be made (epoch ms). */
  probeAt: number;
}

export interface OwedPurge {
  tags: string[];
  attempts: number;
  /** Epoch ms of the next attempt. */
  nextAt: number;
}

/** Which change record (index-changes.ts) took a locale's index to `generation`. */
export interface ChangeRef {
  generation: number;
  key: string;
}

/** A post that left the published index: last-known-good copies from before `generation` may list it. */
export interface Removal {
  generation: number;
  slug: string;
  /** Its `url` as ButterCMS gave it, when known: how a feed item names it. */
  url: string | null;
}

export interface LastWebhook {
  /** Epoch ms. */
  at: number;
  event: string;
  locale: string;
  slug: string;
}

export interface SiteState {
  /** Locale key ("default" or a locale code) → generation of its published index. */
  generations: Record<string, number>;
  /** Locale key → the refs of its most recent changes, oldest first (at most CHANGES_KEPT). */
  changes?: Record<string, ChangeRef[]> | undefined;
  /** Locale key → posts removed lately, oldest first (at most REMOVALS_KEPT). */
  removed?: Record<string, Removal[]> | undefined;
  /** Locale key → when its index was last compared with ButterCMS (epoch ms). */
  reconciledAt?: Record<string, number> | undefined;
  /** Locale key → slugs a webhook could not ask ButterCMS about: the next reconciliation asks. */
  recheck?: Record<string, string[]> | undefined;
  lastWebhook?: LastWebhook | undefined;
  quota?: QuotaOutage | undefined;
  owedPurge?: OwedPurge | undefined;
}

/** Removals kept per locale: a last-known-good copy older than the oldest kept is not served. */
export const REMOVALS_KEPT = 32;
/** Slugs kept per locale to be asked about again. */
export const RECHECKS_KEPT = 50;

const EMPTY: SiteState = { generations: {} };

interface StateView {
  state: SiteState;
  /** True when read from Blobs within STATE_CHECK_MS; false when Blobs is absent or failing. */
  verified: boolean;
  /** When the view was last confirmed against Blobs (epoch ms; 0 = never). */
  checkedAt: number;
}

type Listener = (previous: SiteState, next: SiteState) => void;

/** One instance's view of the shared state, refreshed at most every STATE_CHECK_MS. */
export class SiteStateView {
  private view: StateView = { state: EMPTY, verified: false, checkedAt: 0 };
  private refreshing: Promise<StateView> | undefined;
  private failedAt = Number.NEGATIVE_INFINITY;
  private readonly listeners: Listener[] = [];

  constructor(private readonly now: () => number = () => Date.now()) {}

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** The view without any I/O (may be older than STATE_CHECK_MS). */
  peek(): StateView {
    return this.view;
  }

  /** True when the view is recent enough to skip a Blobs read. */
  isCurrent(): boolean {
    return this.view.verified && this.now() - this.view.checkedAt < STATE_CHECK_MS;
  }

  /** The shared state, read from Blobs if the view is older than STATE_CHECK_MS. */
  async current(store: SharedStore | null): Promise<StateView> {
    if (this.isCurrent()) return this.view;
    // A read failed a moment ago: not again for every step of the same request.
    if (this.now() - this.failedAt < STATE_CHECK_MS) return this.view;
    if (!store) return this.replace({ state: this.view.state, verified: false, checkedAt: 0 });
    this.refreshing ??= this.read(store).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Applies a state this instance just wrote, so it does not wait for its next read. */
  adopt(state: SiteState): void {
    this.replace({ state, verified: true, checkedAt: this.now() });
  }

  reset(): void {
    this.view = { state: EMPTY, verified: false, checkedAt: 0 };
    this.refreshing = undefined;
    this.failedAt = Number.NEGATIVE_INFINITY;
  }

  private async read(store: SharedStore): Promise<StateView> {
    // When the read started, not ended: what it returns is at least this recent, and no more.
    const startedAt = this.now();
    try {
      // A second more than other reads: an instance that cannot read it serves what it saw before.
      const stored = await store.get<SiteState>(STATE_KEY, { timeoutMs: STATE_READ_TIMEOUT_MS });
      return this.replace({ state: normalise(stored?.value), verified: true, checkedAt: startedAt });
    } catch (error) {
      this.failedAt = this.now();
      log(
        "warn",
        "blobs.unreachable",
        "Netlify Blobs unreachable: serving this instance's copies with a short CDN lifetime",
        {
          error: (error as Error).message,
          cause: String((error as Error).cause),
        },
      );
      return this.replace({ state: this.view.state, verified: false, checkedAt: this.view.checkedAt });
    }
  }

  private replace(next: StateView): StateView {
    const previous = this.view.state;
    this.view = next;
    if (next.state !== previous) for (const listener of this.listeners) listener(previous, next.state);
    return next;
  }
}

function normalise(value: SiteState | undefined): SiteState {
  if (!value || typeof value !== "object" || typeof value.generations !== "object") return EMPTY;
  return value;
}

/** The shared state as stored now (throws BlobsUnavailable). */
export async function readSiteState(store: SharedStore, options?: ReadOptions): Promise<SiteState> {
  return normalise((await store.get<SiteState>(STATE_KEY, options))?.value);
}

/**
 * Changes the shared state with compare-and-set, retrying on a concurrent
 * write; returns the state written. Throws BlobsUnavailable when it cannot.
 */
export async function updateSiteState(
  store: SharedStore,
  change: (state: SiteState) => SiteState,
): Promise<SiteState> {
  for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
    const stored = await store.get<SiteState>(STATE_KEY);
    const next = change(normalise(stored?.value));
    const written = await store.set(STATE_KEY, next, stored ? { ifMatch: stored.etag } : { ifNew: true });
    if (written) return next;
  }
  throw new BlobsUnavailable("compare-and-set", "too many concurrent writers");
}
