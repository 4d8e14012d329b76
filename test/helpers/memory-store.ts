/**
 * A faithful in-memory Netlify Blobs store behind our `SharedStore`
 * interface, with real ETags and conditional writes (the package's local
 * server does not send ETags on reads, so it cannot show a lost update),
 * and a switch to make every call fail.
 */
import type { SharedStore, WriteCondition } from "../../src/netlify/blobs.ts";
import { BlobsUnavailable } from "../../src/netlify/blobs.ts";

export class MemoryStore implements SharedStore {
  readonly blobs = new Map<string, { value: unknown; etag: string }>();
  private version = 0;
  /** When set, every call fails as Blobs would when unreachable. */
  failing = false;
  /** How long each call takes (a real round trip interleaves with others). */
  latencyMs = 1;
  /** Every read that found a blob: its key and its size as JSON. */
  readonly reads: { key: string; bytes: number }[] = [];

  private async tick(operation: string): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (this.failing) throw new BlobsUnavailable(operation, "memory store set to fail");
  }

  async get<T>(key: string) {
    await this.tick("read");
    const blob = this.blobs.get(key);
    if (blob) this.reads.push({ key, bytes: JSON.stringify(blob.value).length });
    return blob ? { value: structuredClone(blob.value) as T, etag: blob.etag } : null;
  }

  async set(key: string, value: unknown, condition: WriteCondition = {}) {
    await this.tick("write");
    const current = this.blobs.get(key);
    if (condition.ifMatch !== undefined && current?.etag !== condition.ifMatch) return false;
    if (condition.ifNew && current) return false;
    this.version += 1;
    this.blobs.set(key, { value: structuredClone(value), etag: `"${this.version}"` });
    return true;
  }

  async delete(key: string) {
    await this.tick("delete");
    this.blobs.delete(key);
  }

  async list(prefix: string) {
    await this.tick("list");
    return [...this.blobs.keys()].filter((key) => key.startsWith(prefix));
  }
}
