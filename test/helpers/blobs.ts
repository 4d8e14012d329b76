/**
 * Netlify Blobs in tests: the package's own local server (`@netlify/blobs/server`),
 * one per test file, reached through NETLIFY_BLOBS_CONTEXT as deployed
 * functions reach theirs; every test gets a store of its own (CONTENT_STORE).
 */
import { mkdtempSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
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
export function useBlobsAt(url: string, credentials = { siteID: "s", token: "t" }): void {
  const context = { edgeURL: url, uncachedEdgeURL: url, ...credentials };
  vi.stubEnv("NETLIFY_BLOBS_CONTEXT", Buffer.from(JSON.stringify(context)).toString("base64"));
}

/**
 * A proxy in front of this file's Blobs server that holds every answer
 * `delayMs` (a slow Netlify Blobs); every call still gets the real answer.
 */
export async function slowProxyTo(
  delayMs: number,
): Promise<{ url: string; use: () => void; close: () => Promise<void> }> {
  const target = JSON.parse(Buffer.from(context, "base64").toString()) as { edgeURL: string };
  const proxy = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => name !== "host" && name !== "connection"),
    ) as Record<string, string>;
    try {
      const answer = await fetch(`${target.edgeURL}${req.url}`, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    /** This test's Blobs through the proxy, with the server's own credentials. */
    use: () => useBlobsAt(url, { siteID: SITE_ID, token: TOKEN }),
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}
