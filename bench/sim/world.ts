/**
 * One simulated site: the virtual clock, ButterCMS, Netlify Blobs, the CDN and
 * its purge API, and the function instances, wired as on Netlify. Created once
 * per worker process (the clock and the network are process-wide).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BlobsEmulator } from "./blobs.ts";
import { type ButterModule, ButterService } from "./butter.ts";
import { Cdn, type CdnResponse, PurgeApi, type SimRequest } from "./cdn.ts";
import { VirtualClock } from "./clock.ts";
import {
  type Cause,
  causeStorage,
  DEPLOY_ID,
  type Deploy,
  installNetlifyGlobal,
  installNetwork,
  Platform,
  SITE_ID,
  SITE_URL,
} from "./platform.ts";
import { rng } from "./random.ts";

/** Bytes in a megabyte, in every figure of the sim (MB = 2^20 bytes). */
export const MB = 2 ** 20;

/**
 * The model's constants (bench/SIM.md, "What the model assumes", says where
 * each comes from; most are assumptions, not measurements of Netlify or ButterCMS).
 */
export const MODEL = {
  /** Virtual start: 2026-12-01 08:00 UTC (the sample blog's posts are older). */
  startMs: Date.UTC(2026, 11, 1, 8, 0, 0),
  /** Default ButterCMS time per call; scenarios may set another (`butterLatencyMs`). */
  butterLatencyMs: 80,
  /** Netlify Blobs: latency per call plus size over throughput (assumptions). */
  blobs: {
    edgeReadMs: 10,
    originReadMs: 30,
    writeMs: 50,
    edgeStaleSeconds: 60,
    throughputBytesPerSecond: 20 * MB,
  },
  purge: { latencyMs: 150, propagationMs: 500, perTagLimit: 2, perTagWindowMs: 5_000 },
  purgeRace: "store" as "store" | "drop",
  coldStartMs: 250,
  functionTimeoutMs: 30_000,
  /** ButterCMS gives up on a webhook after 5 s and never retries (ButterCMS docs, "Retry logic"). */
  webhookTimeoutMs: 5_000,
  pageSize: 10,
};

export const SECRETS = {
  butterToken: "sim-butter-token-0123456789",
  webhookSecret: "sim-webhook-secret-0123456789",
  purgeToken: "sim-purge-token-0123456789",
  blobsToken: "sim-blobs-token-0123456789",
};

export interface WorldOptions {
  /** Directory of the bundles: functions/*.mjs and butter.mjs. */
  bundles: string;
  /** Warm instances per function name (default for unnamed functions: `defaultInstances`). */
  instances: Record<string, number>;
  defaultInstances: number;
  seed: number;
  /** Load bench/naive-handler.mts as well (function name "naive"). */
  naive?: boolean;
  only?: string[];
  /** ButterCMS time per call (default MODEL.butterLatencyMs). */
  butterLatencyMs?: number;
  /** The emulation's search matching (default `stemming`, the adversarial choice: docs/buttercms.md). */
  search?: "substring" | "stemming";
  /** BUTTERCMS_LOCALES, the default first (default: unset, the default locale only). */
  locales?: string[];
  /** More environment for every instance (e.g. BUTTERCMS_PLAN_QUOTA). */
  env?: Record<string, string>;
  /** The deploy (default: the published production deploy). */
  deploy?: Deploy;
}

export class World {
  readonly clock: VirtualClock;
  butter!: ButterService;
  blobs!: BlobsEmulator;
  cdn!: Cdn;
  purge!: PurgeApi;
  platform!: Platform;
  butterModule!: ButterModule;
  readonly random: () => number;

  constructor(readonly options: WorldOptions) {
    this.clock = new VirtualClock(MODEL.startMs);
    this.random = rng(options.seed);
  }

  async start(): Promise<void> {
    const clock = this.clock;
    clock.install();
    installNetlifyGlobal();
    this.butterModule = (await import(
      pathToFileURL(join(this.options.bundles, "butter.mjs")).href
    )) as ButterModule;
    this.butter = new ButterService(clock, this.butterModule, {
      token: SECRETS.butterToken,
      latencyMs: this.options.butterLatencyMs ?? MODEL.butterLatencyMs,
      seed: this.options.seed + 1,
      search: this.options.search ?? "stemming",
    });
    this.blobs = new BlobsEmulator(clock, {
      siteID: SITE_ID,
      token: SECRETS.blobsToken,
      edgeURL: "https://blobs-edge.sim.invalid",
      uncachedEdgeURL: "https://blobs-origin.sim.invalid",
      ...MODEL.blobs,
      variableSegments: ["default", "en", "es", "fr", ...(this.options.locales ?? [])],
      seed: this.options.seed + 3,
    });
    this.platform = new Platform(clock, {
      coldStartMs: MODEL.coldStartMs,
      functionTimeoutMs: MODEL.functionTimeoutMs,
      seed: rng(this.options.seed + 2),
      deploy: this.options.deploy ?? { context: "production", published: true },
    });
    this.cdn = new Cdn(
      clock,
      (request, fill) => {
        const kind = causeStorage.getStore()?.kind ?? "reader";
        return this.platform.invoke(request, { kind, fill });
      },
      { purgeRace: MODEL.purgeRace },
    );
    this.purge = new PurgeApi(clock, this.cdn, {
      token: SECRETS.purgeToken,
      siteID: SITE_ID,
      ...MODEL.purge,
    });
    installNetwork({ butter: this.butter, blobs: this.blobs, purge: this.purge });

    const env = process.env;
    for (const name of [
      "NETLIFY_DEV",
      "NETLIFY_LOCAL",
      "BUTTERCMS_SAMPLE",
      "CDN_MAX_AGE",
      "CDN_SWR",
      "BUTTERCMS_LOCALES",
      "BUTTERCMS_PLAN_QUOTA",
    ])
      delete env[name];
    Object.assign(env, {
      BUTTERCMS_API_TOKEN: SECRETS.butterToken,
      WEBHOOK_SECRET: SECRETS.webhookSecret,
      NETLIFY_PURGE_API_TOKEN: SECRETS.purgeToken,
      SITE_ID,
      SITE_NAME: "sim-blog",
      URL: SITE_URL,
      DEPLOY_ID,
      NETLIFY_BLOBS_CONTEXT: this.blobs.contextValue(DEPLOY_ID),
      ...(this.options.locales ? { BUTTERCMS_LOCALES: this.options.locales.join(",") } : {}),
      ...this.options.env,
    });
    (globalThis as { netlifyBlobsContext?: string }).netlifyBlobsContext = env.NETLIFY_BLOBS_CONTEXT;
    this.platform.captureConsole();
  }

  /** Imports every function bundle, each as many times as it has warm instances. */
  async loadFunctions(): Promise<void> {
    const dir = join(this.options.bundles, "functions");
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith(".mjs")) continue;
      const name = file.slice(0, -4);
      if (name === "naive" && !this.options.naive) continue;
      if (this.options.only && !this.options.only.includes(name)) continue;
      const count = this.options.instances[name] ?? this.options.defaultInstances;
      await this.platform.load(name, join(dir, file), count);
    }
  }

  /** A request at the CDN, as a reader (or probe, webhook, …) makes it. */
  request(
    path: string,
    kind: Cause["kind"] = "reader",
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<CdnResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(init.headers ?? {})) headers[name.toLowerCase()] = value;
    const request: SimRequest = { url: `${SITE_URL}${path}`, method: init.method ?? "GET", headers };
    if (init.body !== undefined) request.body = init.body;
    const id = this.requestSeq++;
    this.pending.set(id, { url: path, at: this.clock.now, kind });
    return causeStorage
      .run({ kind, fill: "-" }, () => this.cdn.fetch(request))
      .finally(() => this.pending.delete(id));
  }

  private requestSeq = 0;
  /** Requests at the CDN not answered yet (a request open for long is a finding, or a sim bug). */
  readonly pending = new Map<number, { url: string; at: number; kind: string }>();

  /** Requests open for more than `ms` (virtual), for the report. */
  stuck(ms = 60_000): { count: number; examples: string[] } {
    const old = [...this.pending.values()].filter((p) => this.clock.now - p.at > ms);
    return {
      count: old.length,
      examples: old
        .slice(0, 5)
        .map((p) => `${p.kind} ${p.url} open ${Math.round((this.clock.now - p.at) / 1000)} s`),
    };
  }

  /**
   * Delivers ButterCMS's webhook for a post event, once: `post.published`,
   * `post.delete`, … for the default locale (`locale: null`), the
   * `post.localization.*` form for another. ButterCMS gives up after 5 s:
   * a later answer counts as a failed delivery (`ms` says how long it took).
   */
  async webhook(
    slug: string,
    event: "published" | "draft" | "delete" = "published",
    locale: string | null = null,
  ): Promise<{ status: number; ms: number; body: string }> {
    const started = this.clock.now;
    const name = locale === null ? `post.${event}` : `post.localization.${event}`;
    const response = await this.request("/api/webhooks/buttercms", "webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Webhook-Secret": SECRETS.webhookSecret },
      body: JSON.stringify({
        data: { id: slug, locale },
        webhook: { event: name, target: `${SITE_URL}/api/webhooks/buttercms` },
      }),
    });
    return {
      status: response.status,
      ms: Math.round(this.clock.now - started),
      body: response.body.slice(0, 300),
    };
  }

  /** The locales of the site (BUTTERCMS_LOCALES), `[null]` for the default alone; null is the default. */
  get localeKeys(): (string | null)[] {
    const locales = this.options.locales ?? [];
    return [null, ...locales.slice(1)];
  }

  /** Whether the deploy has a function for `path`. */
  routes(path: string): boolean {
    return this.platform.route(new URL(path, SITE_URL).pathname) !== null;
  }
}
