/**
 * CDN purges that failed are owed, not lost (ButterCMS never re-sends a
 * webhook): recorded in the shared state, merged, claimed by one instance at
 * a time with backoff, kept through another failure, settled once purged.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { backoff, completeOwedPurge, owePurge, purgeOrOwe, settle } from "../../../src/content/owed-purge.ts";
import { type SiteState, SiteStateView } from "../../../src/content/site-state.ts";
import { BlobsUnavailable } from "../../../src/netlify/blobs.ts";
import { HttpResponse, http, server } from "../../helpers/butter.ts";
import { MemoryStore } from "../../helpers/memory-store.ts";

const PURGE_API = "https://api.netlify.com/api/v1/purge";
let store: MemoryStore;
let view: SiteStateView;
let answer = 202;
const purged: string[][] = [];
const owed = () => (store.blobs.get("site-state")?.value as SiteState | undefined)?.owedPurge;

beforeEach(() => {
  vi.stubEnv("NETLIFY_PURGE_API_TOKEN", "nfp_test_purge_token_000");
  vi.stubEnv("SITE_ID", "site-123");
  store = new MemoryStore();
  view = new SiteStateView();
  answer = 202;
  purged.length = 0;
  server.use(
    http.post(PURGE_API, async ({ request }) => {
      purged.push(((await request.json()) as { cache_tags: string[] }).cache_tags);
      return new HttpResponse(null, { status: answer });
    }),
  );
});

describe("owed purges", () => {
  it("purges at once when Netlify accepts, owing nothing", async () => {
    expect(await purgeOrOwe(store, view, ["posts", "post:a"])).toBe("purged");
    expect(owed()).toBeUndefined();
  });

  it("owes what Netlify refused, merged with what is owed already", async () => {
    answer = 500;
    expect(await purgeOrOwe(store, view, ["posts", "post:a"])).toBe("owed");
    expect(await purgeOrOwe(store, view, ["posts", "post:b"])).toBe("owed");
    expect(owed()).toMatchObject({ tags: ["posts", "post:a", "post:b"], attempts: 0 });
  });

  it("throws when the purge fails and Blobs cannot record it either", async () => {
    answer = 500;
    store.failing = true;
    await expect(purgeOrOwe(store, view, ["posts"])).rejects.toThrow(BlobsUnavailable);
  });

  it("lets one instance at a time complete it when due, backing off after each failure, until it settles", async () => {
    answer = 500;
    await owePurge(store, view, ["posts"]);
    expect(await completeOwedPurge(store, view)).toBe(false); // not due yet
    const due = owed()?.nextAt as number;
    const later = () => {
      const state = store.blobs.get("site-state") as { value: SiteState; etag: string };
      store.blobs.set("site-state", {
        value: {
          ...state.value,
          owedPurge: { ...(state.value.owedPurge as NonNullable<SiteState["owedPurge"]>), nextAt: 0 },
        },
        etag: '"due"',
      });
    };
    expect(due).toBeGreaterThan(Date.now());
    later();
    const [first, second] = await Promise.all([
      completeOwedPurge(store, view),
      completeOwedPurge(store, view),
    ]);
    expect([first, second]).toEqual([false, false]);
    expect(purged).toHaveLength(1); // claimed once: the other saw the claim
    expect(owed()).toMatchObject({ tags: ["posts"], attempts: 1 });
    expect((owed()?.nextAt as number) - Date.now()).toBeGreaterThan(backoff(0));
    answer = 202;
    later();
    expect(await completeOwedPurge(store, view)).toBe(true);
    expect(owed()).toBeUndefined();
  });

  it("settles only the tags that were purged", async () => {
    answer = 500;
    await owePurge(store, view, ["posts", "post:a", "post:b"]);
    await settle(store, view, ["post:a"]);
    expect(owed()?.tags).toEqual(["posts", "post:b"]);
  });
});
