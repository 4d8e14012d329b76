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
 * Cost: every call waits a latency (edge read, origin read or list, write),
 * and a read or write moves its bytes at `throughputBytesPerSecond` on top,
 * so a 10 MB blob costs half a second at 20 MB/s (bench/SIM.md, "What the
 * model assumes"). A caller that gives up (its signal aborts) stops waiting
 * wherever it is, transfer included.
 *
 * Faults on demand: `slowFactor` multiplies every latency and transfer time
 * (10 = "Blobs 10x slower"); `fault` makes every call fail: `503` answers
 * 503 after the latency, `hang` never answers until the caller gives up (or
 * 120 s), `mixed` picks one of the two per call.
 *
 * Accounting: bytes read per operation (by key shape, `keyClass`), the
 * largest single read, reads cut by the caller, bytes written; and, through
 * `onRead`, the platform's attribution of each read to what caused it.
 *
 * State is in memory and time is the virtual clock.
 */
import { createHash } from "node:crypto";
import type { VirtualClock } from "./clock.ts";
import { rng } from "./random.ts";

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
  /** Bytes per second a read or write moves, after its latency. */
  throughputBytesPerSecond: number;
  /** Words of keys that name a locale, an id or a slot, replaced by `*` in `keyClass` (e.g. the locales). */
  variableSegments?: string[];
  /** Seed of the `mixed` fault's choices. */
  seed?: number;
}

export type BlobsFault = "503" | "hang" | "mixed";

/** Bytes read through one kind of key (`keyClass`). */
export interface ReadClass {
  reads: number;
  bytes: number;
  largest: number;
}

export interface BlobsReadStats {
  /** Reads answered with a body (200), their bytes, and the largest. */
  reads: number;
  bytes: number;
  largestBytes: number;
  largestKey: string | null;
  /** Reads answered 304 or 404 (no body). */
  emptyReads: number;
  /** Reads the caller gave up on before the body arrived (bytes it would have read). */
  abortedReads: number;
  abortedBytes: number;
  writes: number;
  bytesWritten: number;
  /** Calls answered with a fault (503, or a hang the caller gave up on). */
  failedCalls: number;
  byClass: Record<string, ReadClass>;
  /** Bytes read by what caused the read and the function that made it (`reader getPosts`, …). */
  byCause: Record<string, ReadClass>;
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
/** A proxy in front of Blobs would answer a hung call with a 504 after this long. */
const HANG_LIMIT_MS = 120_000;

export const emptyReadStats = (): BlobsReadStats => ({
  reads: 0,
  bytes: 0,
  largestBytes: 0,
  largestKey: null,
  emptyReads: 0,
  abortedReads: 0,
  abortedBytes: 0,
  writes: 0,
  bytesWritten: 0,
  failedCalls: 0,
  byClass: {},
  byCause: {},
});

export class BlobsEmulator {
  /** `${store}\u0000${key}` → blob. */
  private readonly origin = new Map<string, Blob>();
  private readonly edge = new Map<string, EdgeCopy>();
  readonly ops: Record<string, number> = {};
  readonly stats: BlobsReadStats = emptyReadStats();
  /** Every latency and transfer time is multiplied by this (1: normal; 10: "10x slower"). */
  slowFactor = 1;
  /** While set, every call fails this way. */
  fault: BlobsFault | null = null;
  /** Told of every read that returned a body (bytes), to attribute it (set by the platform). */
  onRead: (bytes: number) => void = () => {};
  /** What caused the current call and which function made it (set by the platform). */
  causeOf: () => string = () => "unknown";
  private readonly random: () => number;
  private readonly variable: Set<string>;

  constructor(
    private readonly clock: VirtualClock,
    readonly options: BlobsOptions,
  ) {
    this.random = rng(options.seed ?? 1);
    this.variable = new Set(options.variableSegments ?? []);
  }

  /** Kept for scenarios that only switch Blobs off: `down` is the `503` fault. */
  get down(): boolean {
    return this.fault !== null;
  }

  set down(value: boolean) {
    this.fault = value ? "503" : null;
  }

  /** Waits `ms` scaled by `slowFactor`; rejects when the caller gives up. */
  private wait(ms: number, signal: AbortSignal | null): Promise<void> {
    return this.clock.sleep(ms * this.slowFactor, signal);
  }

  /** Time to move `bytes` (ms, before `slowFactor`). */
  private transferMs(bytes: number): number {
    return (bytes / this.options.throughputBytesPerSecond) * 1000;
  }

  /**
   * The shape of a key for the accounting: after the first segment, segments
   * listed in `variableSegments` (the locales) or holding a digit, a hyphen
   * or more than 16 characters (ids, slugs, slots, hashes) become `*`:
   * `index/es/chunk/3` → `index/*\/chunk/*`, `post/en/hello-world` → `post/*\/*`.
   */
  keyClass(store: string, key: string): string {
    const parts = key
      .split("/")
      .map((part, i) =>
        i > 0 && (this.variable.has(part) || /[\d-]/.test(part) || part.length > 16) ? "*" : part,
      );
    return `${store}:${parts.slice(0, 5).join("/")}${parts.length > 5 ? "/…" : ""}`;
  }

  private countRead(store: string, key: string, bytes: number): void {
    const stats = this.stats;
    stats.reads++;
    stats.bytes += bytes;
    if (bytes > stats.largestBytes) {
      stats.largestBytes = bytes;
      stats.largestKey = `${store}/${key}`;
    }
    const add = (table: Record<string, ReadClass>, name: string) => {
      const entry = table[name] ?? { reads: 0, bytes: 0, largest: 0 };
      entry.reads++;
      entry.bytes += bytes;
      entry.largest = Math.max(entry.largest, bytes);
      table[name] = entry;
    };
    add(stats.byClass, this.keyClass(store, key));
    add(stats.byCause, this.causeOf());
    this.onRead(bytes);
  }

  /** The fault's answer: a 503 after the latency, or nothing until the caller gives up. */
  private async failCall(method: string, signal: AbortSignal | null): Promise<Response> {
    const fault = this.fault === "mixed" ? (this.random() < 0.5 ? "503" : "hang") : this.fault;
    this.count(`${method} ${fault}`);
    this.stats.failedCalls++;
    if (fault === "hang") {
      await this.clock.sleep(HANG_LIMIT_MS, signal);
      return new Response(null, { status: 504 });
    }
    await this.wait(this.options.originReadMs, signal);
    return new Response(null, { status: 503, headers: { "x-nf-error": "Service unavailable" } });
  }

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
    if (this.fault) return this.failCall(method, request.signal);
    if (!store) {
      this.count("GET stores");
      await this.wait(this.options.originReadMs, request.signal);
      return this.listStores(url.searchParams.get("prefix") ?? "");
    }
    if (method === "GET" && !key) {
      this.count("GET list");
      await this.wait(this.options.originReadMs, request.signal);
      return this.list(store, url);
    }
    if (method === "DELETE" && !key) {
      this.count("DELETE store");
      await this.wait(this.options.writeMs, request.signal);
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
        const ifNoneMatch = request.headers.get("if-none-match");
        const bytes = blob && method === "GET" && ifNoneMatch !== blob.etag ? blob.data.byteLength : 0;
        if (bytes > 0) {
          try {
            await this.wait(this.transferMs(bytes), request.signal);
          } catch (error) {
            this.stats.abortedReads++;
            this.stats.abortedBytes += bytes;
            throw error;
          }
          this.countRead(store, key, bytes);
        } else {
          this.stats.emptyReads++;
        }
        return this.answerRead(blob, method, ifNoneMatch);
      }
      case "PUT": {
        this.count("PUT");
        const body = new Uint8Array(await request.arrayBuffer());
        await this.wait(this.options.writeMs + this.transferMs(body.byteLength), request.signal);
        this.stats.writes++;
        this.stats.bytesWritten += body.byteLength;
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
        await this.wait(this.options.writeMs, request.signal);
        this.origin.delete(id);
        return new Response(null, { status: 204 });
      }
      default:
        return new Response(null, { status: 405 });
    }
  }

  private async readOrigin(id: string, signal: AbortSignal | null): Promise<Blob | null> {
    await this.wait(this.options.originReadMs, signal);
    return this.origin.get(id) ?? null;
  }

  /** The edge: a copy younger than `edgeStaleSeconds` is served and refreshed in the background. */
  private async readEdge(id: string, signal: AbortSignal | null): Promise<Blob | null> {
    const copy = this.edge.get(id);
    const now = this.clock.now;
    if (copy && now - copy.fetchedAt <= this.options.edgeStaleSeconds * 1000) {
      await this.wait(this.options.edgeReadMs, signal);
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
