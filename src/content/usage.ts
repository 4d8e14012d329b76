/**
 * What this site spends of its ButterCMS plan, counted by the instances
 * themselves: every call (each attempt of a retried call too, as ButterCMS
 * meters requests) and every webhook refused for a wrong secret. Each
 * instance counts in memory and adds its count to the month's counter in
 * Blobs (`usage/<YYYY-MM>`, compare-and-set) at most every FLUSH_EVERY_MS,
 * in the background of a request it serves.
 *
 * How exact: calls an instance made in the last FLUSH_EVERY_MS before it
 * stopped, and counts whose write kept failing, are lost (an undercount of
 * a few calls per instance); calls ButterCMS answered from its own CDN cache
 * are counted here though ButterCMS does not meter them (an overcount). The
 * month is UTC's; ButterCMS's billing month may start on another day.
 */
import { log } from "../core/log.ts";
import type { SharedStore } from "../netlify/blobs.ts";
import { runInBackground } from "../netlify/context.ts";
import { onInstanceReset } from "./instance-state.ts";
import type { ReadScope } from "./read-scope.ts";

interface MonthUsage {
  /** "YYYY-MM" (UTC). */
  month: string;
  butterCalls: number;
  webhooksRefused: number;
  /** Epoch ms of the last refused webhook. */
  lastRefusedAt?: number | undefined;
}

/** How often an instance adds what it counted to the shared counter. */
export const FLUSH_EVERY_MS = 10_000;

const pending = { butterCalls: 0, webhooksRefused: 0, lastRefusedAt: 0 };
let flushedAt = 0;
let flushing: Promise<void> | undefined;

onInstanceReset(() => {
  pending.butterCalls = 0;
  pending.webhooksRefused = 0;
  pending.lastRefusedAt = 0;
  flushedAt = 0;
  flushing = undefined;
});

export const monthOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 7);
const usageKey = (month: string): string => `usage/${month}`;

/** One request to ButterCMS was made. */
export function countButterCall(): void {
  pending.butterCalls += 1;
}

/** A webhook came with a wrong or missing secret. */
export function countRefusedWebhook(): void {
  pending.webhooksRefused += 1;
  pending.lastRefusedAt = Date.now();
}

/** Adds what this instance counted to the month's counter; what cannot be written stays pending. */
async function flush(store: SharedStore): Promise<void> {
  const taken = { ...pending };
  if (taken.butterCalls === 0 && taken.webhooksRefused === 0) return;
  pending.butterCalls = 0;
  pending.webhooksRefused = 0;
  const month = monthOf(Date.now());
  try {
    for (let attempt = 0; attempt < 4; attempt++) {
      const stored = await store.get<MonthUsage>(usageKey(month));
      const current = stored?.value ?? { month, butterCalls: 0, webhooksRefused: 0 };
      const next: MonthUsage = {
        month,
        butterCalls: current.butterCalls + taken.butterCalls,
        webhooksRefused: current.webhooksRefused + taken.webhooksRefused,
        lastRefusedAt: Math.max(current.lastRefusedAt ?? 0, taken.lastRefusedAt) || undefined,
      };
      const condition = stored ? (stored.etag ? { ifMatch: stored.etag } : {}) : { ifNew: true };
      if (await store.set(usageKey(month), next, condition)) return;
    }
    throw new Error("too many concurrent writers");
  } catch (error) {
    pending.butterCalls += taken.butterCalls;
    pending.webhooksRefused += taken.webhooksRefused;
    log(
      "warn",
      "usage.flush_failed",
      "Could not add ButterCMS calls to this month's counter; kept for the next try",
      {
        error: (error as Error).message,
      },
    );
  }
}

/**
 * Flushes in the background of this request when FLUSH_EVERY_MS passed
 * since the last flush (`now`: also when the instance is about to stop
 * counting, as the scheduled function does).
 */
export function flushUsage(scope: ReadScope, store: SharedStore | null, now = false): void {
  if (!store) return;
  if (!now && Date.now() - flushedAt < FLUSH_EVERY_MS) return;
  if (pending.butterCalls === 0 && pending.webhooksRefused === 0) return;
  flushedAt = Date.now();
  // After a flush still under way: one writer per instance at a time.
  const work: Promise<void> = (flushing ?? Promise.resolve())
    .then(() => flush(store))
    .finally(() => {
      if (flushing === work) flushing = undefined;
    });
  flushing = work;
  runInBackground(scope.context, work);
}

/** The month's counter as stored (status endpoint); null before the first flush. */
export async function monthUsage(
  store: SharedStore,
  month = monthOf(Date.now()),
): Promise<MonthUsage | null> {
  return (await store.get<MonthUsage>(usageKey(month)))?.value ?? null;
}
