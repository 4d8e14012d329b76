/**
 * Netlify Blobs in tests: the package's own local server (`@netlify/blobs/server`),
 * one per test file, reached through NETLIFY_BLOBS_CONTEXT as deployed
 * functions reach theirs; every test gets a store of its own (CONTENT_STORE).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getStore } from "@netlify/blobs";
import { BlobsServer } from "@netlify/blobs/server";
import { vi } from "vitest";

const TOKEN = "blobs-test-token";
const SITE_ID = "site-123";

let server: BlobsServer | undefined;
let context = "";
let storeCounter = 0;

/** Every request that reached the Blobs server in the current test: method and key. */
export const blobsRequests: { method: string; key: string }[] = [];

export async function startBlobsServer(): Promise<void> {
  server = new BlobsServer({
    directory: mkdtempSync(join(tmpdir(), "blobs-")),
    token: TOKEN,
    debug: Boolean(process.env.BLOBS_DEBUG),
    logger: (...message) => process.stderr.write(`${message.join(" ")}\n`),
    onRequest: ({ type, url }) => {
      const path = new URL(url, "http://localhost").pathname;
      blobsRequests.push({ method: type, key: decodeURIComponent(path.split("/").slice(3).join("/")) });
    },
  });
  const { port } = await server.start();
  context = Buffer.from(
    JSON.stringify({
      edgeURL: `http://localhost:${port}`,
      uncachedEdgeURL: `http://localhost:${port}`,
      siteID: SITE_ID,
      token: TOKEN,
    }),
  ).toString("base64");
}

export async function stopBlobsServer(): Promise<void> {
  await server?.stop();
}

/** The Blobs context for a fresh store; tests call it through setup.ts. */
export function blobsEnv(): Record<string, string> {
  storeCounter += 1;
  return { NETLIFY_BLOBS_CONTEXT: context, CONTENT_STORE: `test-${process.pid}-${storeCounter}` };
}

/** The test's store, read directly (what reached Blobs). */
export const testStore = () => getStore({ name: process.env.CONTENT_STORE as string, consistency: "strong" });

/** An address where nothing listens: Blobs calls fail at once. */
export const UNREACHABLE = "http://127.0.0.1:9";

/** Points this test's Netlify Blobs at `url` (strong reads included), e.g. a server that never answers. */
export function useBlobsAt(url: string): void {
  const context = { edgeURL: url, uncachedEdgeURL: url, siteID: "s", token: "t" };
  vi.stubEnv("NETLIFY_BLOBS_CONTEXT", Buffer.from(JSON.stringify(context)).toString("base64"));
}
