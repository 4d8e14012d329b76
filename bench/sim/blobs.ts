/**
 * Netlify Blobs, emulated at the HTTP level the `@netlify/blobs` client speaks
 * in a function (edge mode, `NETLIFY_BLOBS_CONTEXT` with `edgeURL` and
 * `uncachedEdgeURL`): `GET|HEAD|PUT|DELETE {edge}/{siteID}/{store}/{key}`,
 * metadata in `x-amz-meta-user` (`b64;` + base64 JSON), ETags, `If-None-Match`
 * on reads (304), `If-Match` / `If-None-Match: *` on writes (412), listing
 * with `prefix`, `directories` and `cursor`, deleting a whole store, and
 * `Authorization: Bearer <token>`.
 *
 * Consistency: reads through `uncachedEdgeURL` (the client's `strong`) see
 * every write at once. Reads through `edgeURL` (`eventual`, the default) go
 * through one edge cache that behaves as the `cache-control: max-age=0,
 * stale-while-revalidate=60` the client sends with every write: an edge copy
 * is served and refreshed in the background, and a copy older than 60 s is
 * refreshed before answering. Lists always read the origin.
 *
 * State is in memory and time is the virtual clock; latencies are fixed.
 */
import { createHash } from "node:crypto";
import type { VirtualClock } from "./clock.ts";

export interface BlobsOptions {
  siteID: string;
  token: string;
  edgeURL: string;
  uncachedEdgeURL: string;
  /** Latency of a read answered by the edge cache (ms). */
  edgeReadMs: number;
  /** Latency of a read or list answered by the origin (strong reads, edge misses) (ms). */
  originReadMs: number;
  /** Latency of a write or delete (ms). */
  writeMs: number;
  /** How long the edge may serve a copy while refreshing it (the client's stale-while-revalidate, s). */
  edgeStaleSeconds: number;
}

interface Blob {
  data: Uint8Array;
  etag: string;
  /** The `x-amz-meta-user` value as written (already `b64;…`), or null. */
  metadata: string | null;
  contentType: string | null;
  modified: number;
}

interface EdgeCopy {
  blob: Blob | null;
  fetchedAt: number;
  refreshing: boolean;
}

const METADATA_HEADER = "x-amz-meta-user";

export class BlobsEmulator {
  /** `${store}\u0000${key}` → blob. */
  private readonly origin = new Map<string, Blob>();
  private readonly edge = new Map<string, EdgeCopy>();
  readonly ops: Record<string, number> = {};
  /** Set while Blobs is down: every call answers 503. */
  down = false;

  constructor(
    private readonly clock: VirtualClock,
    readonly options: BlobsOptions,
  ) {}

  /** The value of NETLIFY_BLOBS_CONTEXT (and globalThis.netlifyBlobsContext). */
  contextValue(deployID: string): string {
    const { edgeURL, uncachedEdgeURL, siteID, token } = this.options;
    const context = { edgeURL, uncachedEdgeURL, siteID, token, deployID, primaryRegion: "us-east-2" };
    return Buffer.from(JSON.stringify(context)).toString("base64");
  }

  /** Whether `url` is for this emulation (edge or uncached). */
  owns(url: URL): boolean {
    return (
      url.origin === new URL(this.options.edgeURL).origin ||
      url.origin === new URL(this.options.uncachedEdgeURL).origin
    );
  }

  /** Sizes for the report: the largest blob and the whole store, in bytes. */
  sizes(): { blobs: number; totalBytes: number; largestBytes: number; largestKey: string | null } {
    let totalBytes = 0;
    let largestBytes = 0;
    let largestKey: string | null = null;
    for (const [id, blob] of this.origin) {
      totalBytes += blob.data.byteLength;
      if (blob.data.byteLength > largestBytes) {
        largestBytes = blob.data.byteLength;
        largestKey = id.replace("\u0000", "/");
      }
    }
    return { blobs: this.origin.size, totalBytes, largestBytes, largestKey };
  }

  private count(name: string): void {
    this.ops[name] = (this.ops[name] ?? 0) + 1;
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const strong = url.origin === new URL(this.options.uncachedEdgeURL).origin;
    const method = request.method.toUpperCase();
    const auth = request.headers.get("authorization") ?? "";
    if (auth !== `Bearer ${this.options.token}`) {
      await this.clock.sleep(this.options.originReadMs, request.signal);
      return new Response(null, { status: 401, headers: { "x-nf-error": "Unauthorized" } });
    }
    let parts = url.pathname.split("/").slice(1);
    if (parts[0]?.startsWith("region:")) parts = parts.slice(1);
    const [siteID, rawStore, ...rawKey] = parts;
    if (siteID !== this.options.siteID) {
      await this.clock.sleep(this.options.originReadMs, request.signal);
      return new Response(null, { status: 403, headers: { "x-nf-error": "Wrong site" } });
    }
    const store = rawStore ? decodeURIComponent(rawStore) : "";
    const key = rawKey.length > 0 ? decodeURIComponent(rawKey.join("/")) : "";
    const consistency = strong ? "strong" : "eventual";
    if (this.down) {
      this.count(`${method} down`);
      await this.clock.sleep(this.options.originReadMs, request.signal);
      return new Response(null, { status: 503, headers: { "x-nf-error": "Service unavailable" } });
    }
    if (!store) {
      this.count("GET stores");
      await this.clock.sleep(this.options.originReadMs, request.signal);
      return this.listStores(url.searchParams.get("prefix") ?? "");
    }
    if (method === "GET" && !key) {
      this.count("GET list");
      await this.clock.sleep(this.options.originReadMs, request.signal);
      return this.list(store, url);
    }
    if (method === "DELETE" && !key) {
      this.count("DELETE store");
      await this.clock.sleep(this.options.writeMs, request.signal);
      let deleted = 0;
      for (const id of [...this.origin.keys()]) {
        if (id.startsWith(`${store}\u0000`)) {
          this.origin.delete(id);
          deleted++;
        }
      }
      return Response.json({ blobs_deleted: deleted, has_more: false });
    }
    const id = `${store}\u0000${key}`;
    switch (method) {
      case "GET":
      case "HEAD": {
        this.count(`${method} ${consistency}`);
        const blob = strong
          ? await this.readOrigin(id, request.signal)
          : await this.readEdge(id, request.signal);
        return this.answerRead(blob, method, request.headers.get("if-none-match"));
      }
      case "PUT": {
        this.count("PUT");
        const body = new Uint8Array(await request.arrayBuffer());
        await this.clock.sleep(this.options.writeMs, request.signal);
        const current = this.origin.get(id);
        const ifMatch = request.headers.get("if-match");
        const ifNoneMatch = request.headers.get("if-none-match");
        if ((ifNoneMatch === "*" && current) || (ifMatch && (!current || current.etag !== ifMatch))) {
          this.count("PUT 412");
          return new Response(null, { status: 412 });
        }
        const blob: Blob = {
          data: body,
          etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`,
          metadata: request.headers.get(METADATA_HEADER),
          contentType: request.headers.get("content-type"),
          modified: this.clock.now,
        };
        this.origin.set(id, blob);
        return new Response(null, { status: 200, headers: { etag: blob.etag } });
      }
      case "DELETE": {
        this.count("DELETE");
        await this.clock.sleep(this.options.writeMs, request.signal);
        this.origin.delete(id);
        return new Response(null, { status: 204 });
      }
      default:
        return new Response(null, { status: 405 });
    }
  }

  private async readOrigin(id: string, signal: AbortSignal | null): Promise<Blob | null> {
    await this.clock.sleep(this.options.originReadMs, signal);
    return this.origin.get(id) ?? null;
  }

  /** The edge: a copy younger than `edgeStaleSeconds` is served and refreshed in the background. */
  private async readEdge(id: string, signal: AbortSignal | null): Promise<Blob | null> {
    const copy = this.edge.get(id);
    const now = this.clock.now;
    if (copy && now - copy.fetchedAt <= this.options.edgeStaleSeconds * 1000) {
      await this.clock.sleep(this.options.edgeReadMs, signal);
      if (!copy.refreshing) {
        copy.refreshing = true;
        this.clock.setTimeout(() => {
          this.edge.set(id, {
            blob: this.origin.get(id) ?? null,
            fetchedAt: this.clock.now,
            refreshing: false,
          });
        }, this.options.originReadMs);
      }
      return copy.blob;
    }
    const blob = await this.readOrigin(id, signal);
    this.edge.set(id, { blob, fetchedAt: this.clock.now, refreshing: false });
    return blob;
  }

  private answerRead(blob: Blob | null, method: string, ifNoneMatch: string | null): Response {
    if (!blob) return new Response(null, { status: 404 });
    const headers: Record<string, string> = { etag: blob.etag };
    if (blob.metadata) headers[METADATA_HEADER] = blob.metadata;
    if (blob.contentType) headers["content-type"] = blob.contentType;
    if (ifNoneMatch && ifNoneMatch === blob.etag) return new Response(null, { status: 304, headers });
    headers["content-length"] = String(blob.data.byteLength);
    return new Response(method === "HEAD" ? null : (blob.data as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers,
    });
  }

  private list(store: string, url: URL): Response {
    const prefix = url.searchParams.get("prefix") ?? "";
    const directories = url.searchParams.get("directories") === "true";
    const cursor = Number(url.searchParams.get("cursor") ?? 0) || 0;
    const pageSize = 1000;
    const blobs: { etag: string; key: string; last_modified: string; size: number }[] = [];
    const dirs = new Set<string>();
    const keys = [...this.origin.keys()]
      .filter((id) => id.startsWith(`${store}\u0000`))
      .map((id) => id.slice(store.length + 1))
      .filter((key) => key.startsWith(prefix))
      .sort();
    for (const key of keys) {
      if (directories) {
        const slash = key.indexOf("/", prefix.length);
        if (slash >= 0) {
          dirs.add(key.slice(0, slash));
          continue;
        }
      }
      const blob = this.origin.get(`${store}\u0000${key}`) as Blob;
      blobs.push({
        etag: blob.etag,
        key,
        last_modified: new Date(blob.modified).toISOString(),
        size: blob.data.byteLength,
      });
    }
    const page = blobs.slice(cursor, cursor + pageSize);
    const next = cursor + pageSize < blobs.length ? String(cursor + pageSize) : undefined;
    return Response.json({
      blobs: page,
      directories: cursor === 0 ? [...dirs] : [],
      ...(next ? { next_cursor: next } : {}),
    });
  }

  private listStores(prefix: string): Response {
    const stores = new Set<string>();
    for (const id of this.origin.keys()) {
      const store = id.slice(0, id.indexOf("\u0000"));
      if (store.startsWith(prefix)) stores.add(store);
    }
    return Response.json({ stores: [...stores] });
  }
}
