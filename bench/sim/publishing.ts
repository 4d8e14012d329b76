/**
 * Publishing in ButterCMS: change a post (title and body), publish a draft
 * or unpublish a post, then deliver ButterCMS's webhook at once (or lose it:
 * ButterCMS sends each once and never retries). And the visibility probes:
 * after each publish, every CDN-cacheable URL that shows the post (its page;
 * by the ground truth of the emulation, the list pages, searches, feeds and
 * author lists that contain it) is requested through the CDN, often at first
 * and then less often, until the window closes.
 */
import type { CdnResponse } from "./cdn.ts";
import { finiteOrNull, percentile, round } from "./random.ts";
import { inLocale, mentions, type Universe, upstreamFor } from "./traffic.ts";
import { MODEL, type World } from "./world.ts";

/**
 * Searches that find an edited post only when ButterCMS matches by stem:
 * every edit says "Get started: set it up, run it.", and no sample text
 * has "getting", "setting" or "started" (the sample bodies do say
 * "running", so "running" finds every post; the edit moves it up).
 */
export const STEM_QUERIES = ["running", "getting started", "setting"];
const STEM_SENTENCE = "Get started: set it up, run it.";
const STEM_URLS = new Set(STEM_QUERIES.map((query) => `q=${encodeURIComponent(query)}`));
const isStemUrl = (url: string): boolean =>
  url.startsWith("/api/search?") && STEM_URLS.has(url.slice("/api/search?".length).split("&")[0] ?? "");

export interface PublishPlanItem {
  /** Virtual ms after the start of the publishing phase. */
  offsetMs: number;
  kind: "edit" | "draft";
}

/** Gaps of 10–30 s, and one time in seven a burst (1–4 s after the previous publish). */
export function publishPlan(random: () => number, count: number, draftEvery: number): PublishPlanItem[] {
  const plan: PublishPlanItem[] = [];
  let offset = 0;
  for (let n = 0; n < count; n++) {
    offset += n === 0 ? 1_000 : random() < 1 / 7 ? 1_000 + random() * 3_000 : 10_000 + random() * 20_000;
    plan.push({ offsetMs: Math.round(offset), kind: n % draftEvery === draftEvery - 1 ? "draft" : "edit" });
  }
  return plan;
}

export type PublishKind = "edit" | "draft" | "unpublish";

export interface PublishOptions {
  /** The post (default: the next by popularity, or the first draft). */
  slug?: string;
  /** The locale (null, the default: the default locale). */
  locale?: string | null;
  /** False: the webhook is lost (never delivered). */
  deliver?: boolean;
}

export interface PublishRecord {
  n: number;
  slug: string;
  kind: PublishKind;
  locale: string | null;
  /** Whether ButterCMS's webhook was delivered (a lost one never is). */
  delivered: boolean;
  at: number;
  marker: string;
  webhookStatus: number;
  webhookMs: number;
  webhookBody: string;
  /** Until when the probes watch it (ms). */
  closesAt: number;
  /** `stemOk`: no search that finds the post only by stem was failing (STEM_QUERIES). */
  ticks: { at: number; ok: boolean; stemOk: boolean; failing: string[] }[];
  /** Whether a search that finds the post only by stem was among the URLs to watch. */
  stemRelevant: boolean;
  relevantCount: number;
  /** The URLs that showed the post right after the change (ground truth). */
  relevantAtChange: Set<string>;
}

export class Publisher {
  readonly records: PublishRecord[] = [];
  private readonly originals = new Map<string, { title: string; body: string }>();
  private editCursor = 0;
  private readonly lastPublished = new Map<string, number>();
  /** Called right after the change in ButterCMS, before the webhook (the probes take the ground truth). */
  onChange: ((record: PublishRecord) => Promise<void>) | null = null;

  constructor(
    private readonly world: World,
    private readonly universe: Universe,
    private readonly windowMs: number,
  ) {}

  /** The next post to edit: round robin over the popularity order, skipping posts still watched. */
  private nextEditTarget(): string {
    const slugs = this.universe.popularity;
    for (let i = 0; i < slugs.length; i++) {
      const slug = slugs[(this.editCursor + i) % slugs.length] as string;
      const last = this.lastPublished.get(slug);
      if (last === undefined || this.world.clock.now - last > this.windowMs) {
        this.editCursor = (this.editCursor + i + 1) % slugs.length;
        return slug;
      }
    }
    return slugs[this.editCursor++ % slugs.length] as string;
  }

  async publish(kind: PublishKind, options: PublishOptions = {}): Promise<PublishRecord> {
    const world = this.world;
    const butter = world.butterModule;
    const locale = options.locale ?? null;
    const n = this.records.length + 1;
    const marker = `zq${n}zq`;
    const drafts = butter.draftPosts();
    const actual: PublishKind = kind === "draft" && (drafts.length === 0 || locale !== null) ? "edit" : kind;
    const slug = options.slug ?? (actual === "draft" ? (drafts[0]?.slug as string) : this.nextEditTarget());
    const post = butter.findPost(slug, locale);
    if (!post) throw new Error(`no post ${slug}`);
    const key = `${locale}:${slug}`;
    if (!this.originals.has(key))
      this.originals.set(key, { title: post.title, body: String(post.body ?? "") });
    const original = this.originals.get(key) as { title: string; body: string };
    const change = {
      title: `${original.title} ${marker}`,
      body: `${original.body}\n<p>Revision ${marker}. ${STEM_SENTENCE}</p>`,
      at: world.clock.now,
    };
    const at = world.clock.now;
    if (actual === "draft") {
      butter.publishDraft(slug, change);
      this.universe.published(slug);
    } else if (actual === "unpublish") {
      butter.unpublishPost(slug, at, locale);
    } else {
      butter.editPost(slug, change, locale);
    }
    // The previous publish of this post is superseded: stop watching it.
    for (const record of this.records) {
      if (record.slug === slug && record.locale === locale && record.closesAt > at) record.closesAt = at;
    }
    this.lastPublished.set(slug, at);
    const delivered = options.deliver ?? true;
    const record: PublishRecord = {
      n,
      slug,
      kind: actual,
      locale,
      delivered,
      at,
      marker,
      webhookStatus: 0,
      webhookMs: 0,
      webhookBody: "",
      closesAt: at + this.windowMs,
      ticks: [],
      stemRelevant: false,
      relevantCount: 0,
      relevantAtChange: new Set(),
    };
    this.records.push(record);
    await this.onChange?.(record);
    if (!delivered) return record;
    const event = actual === "unpublish" ? "delete" : "published";
    const hook = await world.webhook(slug, event, locale);
    record.webhookStatus = hook.status;
    record.webhookMs = hook.ms;
    record.webhookBody = hook.body;
    return record;
  }
}

export interface ProbeOptions {
  /** Virtual ms between two ticks (default 100). */
  tickMs?: number;
  /** Whether a record of this age is probed at this tick (default: every 100 ms for 15 s, 500 ms until 60 s, then 2 s). */
  due?: (ageMs: number, tick: number) => boolean;
  /** The URLs to watch for a record, instead of every listing URL that shows it by the ground truth. */
  urls?: (record: PublishRecord) => Promise<string[]>;
}

const defaultDue = (age: number, tick: number): boolean =>
  age < 15_000 ? true : age < 60_000 ? tick % 5 === 0 : tick % 20 === 0;

/** Probes every watched publish: by default every 100 ms for 15 s, every 500 ms until 60 s, then every 2 s. */
export class Probes {
  private tickIndex = 0;
  private running = false;
  private readonly relevantCache = new Map<string, string[]>();
  requests = 0;

  constructor(
    private readonly world: World,
    private readonly universe: Universe,
    publisher: Publisher,
    private readonly options: ProbeOptions = {},
  ) {
    this.records = publisher.records;
    publisher.onChange = async (record) => {
      record.relevantAtChange = new Set(await this.relevant(record));
      record.stemRelevant = [...record.relevantAtChange].some(isStemUrl);
    };
  }

  private readonly records: PublishRecord[];

  start(): void {
    this.running = true;
    const every = this.options.tickMs ?? 100;
    const loop = () => {
      if (!this.running) return;
      this.tickIndex++;
      void this.tick(this.tickIndex);
      this.world.clock.setTimeout(loop, every);
    };
    this.world.clock.setTimeout(loop, every);
  }

  stop(): void {
    this.running = false;
  }

  private due(record: PublishRecord, now: number, tick: number): boolean {
    if (now < record.at || now >= record.closesAt || record.kind === "unpublish") return false;
    return (this.options.due ?? defaultDue)(now - record.at, tick);
  }

  /** The URLs that show the post now, by the emulation's ground truth (memoised per data version). */
  private async relevant(record: PublishRecord): Promise<string[]> {
    const key = `${record.n}@${this.world.butterModule.dataVersion()}`;
    const cached = this.relevantCache.get(key);
    if (cached) return cached;
    if (this.options.urls) {
      const urls = await this.options.urls(record);
      this.relevantCache.set(key, urls);
      record.relevantCount = Math.max(record.relevantCount, urls.length);
      return urls;
    }
    const urls = [inLocale(`/api/posts/${record.slug}`, record.locale)];
    for (const url of this.universe.listingUrls(record.locale)) {
      if (url.startsWith("/api/feeds/sitemap") && record.kind === "edit") continue; // lists slugs, not titles
      const upstream = upstreamFor(url, MODEL.pageSize);
      if (!upstream) continue;
      const truth = await this.world.butter.truth(upstream);
      if (truth.status === 200 && mentions(truth.body, record.slug)) urls.push(url);
    }
    this.relevantCache.set(key, urls);
    record.relevantCount = Math.max(record.relevantCount, urls.length);
    return urls;
  }

  private async tick(tick: number): Promise<void> {
    const now = this.world.clock.now;
    const due = this.records.filter((record) => this.due(record, now, tick));
    if (due.length === 0) return;
    const sets = await Promise.all(due.map((record) => this.relevant(record)));
    const unique = [...new Set(sets.flat())];
    this.requests += unique.length;
    const answers = new Map<string, CdnResponse>(
      await Promise.all(
        unique.map(async (url) => [url, await this.world.request(url, "probe")] as [string, CdnResponse]),
      ),
    );
    due.forEach((record, i) => {
      const failing = (sets[i] as string[]).filter((url) => {
        const answer = answers.get(url) as CdnResponse;
        if (answer.status !== 200) return true;
        const listed = url.startsWith("/api/posts/") || mentions(answer.body, record.slug);
        // Not listed where the truth lists it: stale only if it was listed there since the change
        // (a later publish that moves it between pages is that publish's latency, not this one's).
        if (!listed) return record.relevantAtChange.has(url);
        return url.startsWith("/api/feeds/sitemap") ? false : !answer.body.includes(record.marker);
      });
      record.ticks.push({
        at: now,
        ok: failing.length === 0,
        stemOk: !failing.some(isStemUrl),
        failing: failing.slice(0, 4),
      });
    });
  }
}

/**
 * Seconds from the change in ButterCMS to the first probe, not before the
 * webhook answered, from which every later probe in the window saw the
 * change; Infinity if the last probe still did not.
 */
export function visibleAfter(record: PublishRecord, which: "ok" | "stemOk" = "ok"): number {
  let visibleAt: number | null = null;
  for (const tick of record.ticks) {
    if (!tick[which]) visibleAt = null;
    else visibleAt ??= tick.at;
  }
  if (visibleAt === null) return Number.POSITIVE_INFINITY;
  // Not before the webhook answered (the definition starts there).
  return (Math.max(visibleAt, record.at + record.webhookMs) - record.at) / 1000;
}

export function summariseVisibility(records: PublishRecord[], windowMs: number) {
  const delays = records.map((record) => visibleAfter(record));
  const notVisible = records.filter((_record, i) => !Number.isFinite(delays[i] as number));
  const ok2xx = records.filter((record) => record.webhookStatus >= 200 && record.webhookStatus < 300);
  const stemmed = records.filter((record) => record.stemRelevant);
  const stemDelays = stemmed.map((record) => visibleAfter(record, "stemOk"));
  return {
    /** Publishes whose post a search finds only by stem (STEM_QUERIES), and when those searches showed it. */
    stemmed_search: {
      queries: STEM_QUERIES,
      publishes: stemmed.length,
      p50: finiteOrNull(percentile(stemDelays, 50), 2),
      max: stemDelays.length ? finiteOrNull(Math.max(...stemDelays), 2) : null,
      not_visible_within_window: stemDelays.filter((d) => !Number.isFinite(d)).length,
    },
    publishes: records.length,
    edits: records.filter((r) => r.kind === "edit").length,
    drafts_published: records.filter((r) => r.kind === "draft").length,
    p50: finiteOrNull(percentile(delays, 50), 2),
    p99: finiteOrNull(percentile(delays, 99), 2),
    max: finiteOrNull(Math.max(...delays), 2),
    not_visible_within_window: notVisible.length,
    window_s: windowMs / 1000,
    webhook_2xx: ok2xx.length,
    webhook_statuses: countBy(records.map((r) => String(r.webhookStatus))),
    webhook_over_5s: records.filter((r) => r.webhookMs > MODEL.webhookTimeoutMs).length,
    webhook_ms_max: Math.max(...records.map((r) => r.webhookMs)),
    relevant_urls_per_publish_max: Math.max(...records.map((r) => r.relevantCount)),
    delays_s: delays.map((d) => finiteOrNull(d, 2)),
    stemmed_delays_s: stemDelays.map((d) => finiteOrNull(d, 2)),
    /** Over all publishes: how often each URL was among the last to show the change (query values dropped). */
    last_failing_counts: countBy(
      records.flatMap((record) =>
        ([...record.ticks].reverse().find((t) => !t.ok)?.failing ?? []).map((url) =>
          url.replace(/=[^&]*/g, "=…").replace(/^\/api\/posts\/[^/?]+/, "/api/posts/…"),
        ),
      ),
    ),
    examples_not_visible: notVisible.slice(0, 3).map((record) => ({
      n: record.n,
      slug: record.slug,
      kind: record.kind,
      webhook: record.webhookStatus,
      last_failing: record.ticks.at(-1)?.failing ?? [],
      ticks: record.ticks.length,
    })),
    slowest: records
      .map((record, i) => ({ record, delay: delays[i] as number }))
      .filter(({ delay }) => Number.isFinite(delay))
      .sort((a, b) => b.delay - a.delay)
      .slice(0, 3)
      .map(({ record, delay }) => ({
        n: record.n,
        slug: record.slug,
        kind: record.kind,
        delay_s: round(delay, 2),
        webhook: record.webhookStatus,
        last_failing_before_visible: [...record.ticks].reverse().find((t) => !t.ok)?.failing ?? [],
        /** When the failing set changed: seconds after the change, and the failing URLs. */
        history: record.ticks
          .filter((tick, i, all) => i === 0 || tick.failing.join() !== all[i - 1]?.failing.join())
          .slice(0, 12)
          .map((tick) => `${round((tick.at - record.at) / 1000, 1)} s: ${tick.failing.join(" ") || "ok"}`),
      })),
  };
}

export const countBy = (values: string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
};
