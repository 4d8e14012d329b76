/**
 * Checks the Blobs emulation with the real `@netlify/blobs` client, as the
 * functions use it: every answer the client relies on (values, metadata,
 * ETags and 304s, conditional writes, listing, deletes, eventual reads).
 * Runs in every worker before its scenario; a failure is reported, not hidden.
 */
import { getStore } from "@netlify/blobs";
import type { VirtualClock } from "./clock.ts";

export async function blobsSelfTest(clock: VirtualClock): Promise<{ passed: number; failed: string[] }> {
  const failed: string[] = [];
  let passed = 0;
  const check = (name: string, ok: boolean) => {
    if (ok) passed++;
    else failed.push(name);
  };
  const strong = getStore({ name: "sim-selftest", consistency: "strong" });
  const eventual = getStore({ name: "sim-selftest" });

  check("get of a missing key is null", (await strong.get("missing")) === null);
  const first = await strong.setJSON("a/b", { v: 1 }, { metadata: { m: "x" } });
  check("setJSON returns an etag", first.modified && typeof first.etag === "string" && first.etag.length > 2);
  const read = await strong.getWithMetadata("a/b", { type: "json" });
  check(
    "getWithMetadata returns value, etag and metadata",
    read?.data?.v === 1 && read.etag === first.etag && read.metadata.m === "x",
  );
  const notModified = await strong.getWithMetadata("a/b", { type: "json", etag: first.etag });
  check(
    "a matching etag answers 304 (data null)",
    notModified?.data === null && notModified.etag === first.etag,
  );
  const meta = await strong.getMetadata("a/b");
  check("getMetadata", meta?.etag === first.etag && meta?.metadata.m === "x");
  const onlyNew = await strong.setJSON("a/b", { v: 2 }, { onlyIfNew: true });
  check("onlyIfNew on an existing key is refused", onlyNew.modified === false);
  const wrongMatch = await strong.setJSON("a/b", { v: 2 }, { onlyIfMatch: '"nope"' });
  check("onlyIfMatch with a stale etag is refused", wrongMatch.modified === false);
  const cas = await strong.setJSON("a/b", { v: 2 }, { onlyIfMatch: first.etag as string });
  check("onlyIfMatch with the current etag writes", cas.modified === true && cas.etag !== first.etag);
  await strong.set("a/c", "text");
  await strong.set("d", "text");
  const listed = await strong.list({ prefix: "a/" });
  check(
    "list with a prefix",
    listed.blobs.map((b) => b.key).join(",") === "a/b,a/c" && listed.blobs.every((b) => b.etag),
  );
  const dirs = await strong.list({ directories: true });
  check(
    "list with directories",
    dirs.directories.join(",") === "a" && dirs.blobs.map((b) => b.key).join(",") === "d",
  );
  // Eventual reads: the edge serves its copy and refreshes it in the background.
  check("eventual read sees a fresh key", (await eventual.get("d", { type: "text" })) === "text");
  await strong.set("d", "changed");
  const stale = await eventual.get("d", { type: "text" });
  await clock.sleep(1_000);
  const refreshed = await eventual.get("d", { type: "text" });
  check(
    "eventual read is stale at most until the edge refreshed",
    stale === "text" && refreshed === "changed",
  );
  await strong.delete("a/c");
  check("delete", (await strong.get("a/c")) === null);
  const { deletedBlobs } = await strong.deleteAll();
  check("deleteAll", deletedBlobs === 2 && (await strong.get("a/b")) === null);
  return { passed, failed };
}
