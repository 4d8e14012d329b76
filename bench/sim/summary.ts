/**
 * The figures of bench/sim-results.json, computed from the scenarios'
 * reports (bench/SIM.md, "How to read the figures"). Every figure is
 * measured: a difference between twins or a count in one run, never a sum
 * of calls attributed to a cause. A figure whose scenario did not run or
 * failed is null, and its target is not met.
 */
import { PLANS } from "./scenarios.ts";
import { MB } from "./world.ts";

type Json = Record<string, unknown>;

const get = (value: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Json)[key] : undefined), value);

const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** `value` within `limit` (≤), null when unmeasured. */
const atMost = (value: number | null, limit: number): boolean => value !== null && value <= limit;
const atLeast = (value: number | null, limit: number): boolean => value !== null && value >= limit;

/** `a / b`, or null when either is missing or b is 0. */
const ratio = (a: number | null, b: number | null, digits = 3): number | null =>
  a === null || b === null || b === 0 ? null : round(a / b, digits);

/** `(a − b) / n`, or null. */
const perEach = (a: number | null, b: number | null, n: number | null, digits = 2): number | null =>
  a === null || b === null || !n ? null : round((a - b) / n, digits);

export function summarise(reports: Record<string, unknown>) {
  const r = (scenario: string, path: string) => get(reports[scenario], path);
  const n = (scenario: string, path: string) => num(r(scenario, path));

  const visMax = n("visibility", "visibility.max");
  const stemMax = n("visibility", "visibility.stemmed_search.max");
  const publish_to_visible_s = {
    p50: n("visibility", "visibility.p50"),
    p99: n("visibility", "visibility.p99"),
    max: visMax,
    publishes: n("visibility", "visibility.publishes"),
    not_visible_within_window: n("visibility", "visibility.not_visible_within_window"),
    window_s: n("visibility", "visibility.window_s"),
    webhook_2xx: n("visibility", "visibility.webhook_2xx"),
    search_mode: r("visibility", "search_mode") ?? null,
    target_max: 10,
    meets_target: atMost(visMax, 10) && n("visibility", "visibility.not_visible_within_window") === 0,
  };
  const stemmed_search_visible_s = {
    queries: r("visibility", "visibility.stemmed_search.queries") ?? null,
    publishes: n("visibility", "visibility.stemmed_search.publishes"),
    p50: n("visibility", "visibility.stemmed_search.p50"),
    max: stemMax,
    not_visible_within_window: n("visibility", "visibility.stemmed_search.not_visible_within_window"),
    target_max: 10,
    meets_target:
      atMost(stemMax, 10) &&
      (n("visibility", "visibility.stemmed_search.publishes") ?? 0) > 0 &&
      n("visibility", "visibility.stemmed_search.not_visible_within_window") === 0,
  };
  const views = n("publish", "views");
  const butter_calls_per_100k_views = {
    ours: n("publish", "butter_calls_per_100k_views"),
    naive: n("naive", "butter_calls_per_100k_views"),
    views,
    publishes: n("publish", "publishes"),
  };
  const cdn_refills_per_100k_views = {
    value: n("publish", "cdn_refills_per_100k_views"),
    note: "one per CDN key per purge or expiry; grows with our own purges, so it is no bound on ButterCMS calls",
  };
  const function_invocations_per_100k_views = { value: n("publish", "function_invocations_per_100k_views") };

  const outageShare = n("outage", "share_200");
  const outage_drill = {
    share_200: outageShare,
    function_share_200: n("outage", "function_share_200"),
    requests: n("outage", "requests"),
    function_answers: sum(r("outage", "function_statuses")),
    outage_minutes: n("outage", "outage_minutes"),
    target: 0.999,
    meets_target: atLeast(outageShare, 0.999),
  };
  const slowShare = n("outage-slow-blobs", "share_200");
  const listingRemoved = n("outage-slow-blobs", "answers_listing_unpublished");
  const outage_drill_slow_blobs = {
    share_200: slowShare,
    function_share_200: n("outage-slow-blobs", "function_share_200"),
    requests: n("outage-slow-blobs", "requests"),
    blobs_slow_factor: n("outage-slow-blobs", "blobs_slow_factor"),
    unpublished_before: r("outage-slow-blobs", "unpublished_before") ?? null,
    answers_listing_unpublished: listingRemoved,
    target: 0.999,
    meets_target: atLeast(slowShare, 0.999) && listingRemoved === 0,
  };

  // The scale twins: the same seed, differing only in their windows.
  const w = (scenario: string, path: string) => n(scenario, `publish_window.window.${path}`);
  const b = (scenario: string, path: string) => n(scenario, `blobs_window.${path}`);
  const publishes = n("scale", "publishes");
  const perPublish = perEach(w("scale", "butter_calls"), w("scale-control", "butter_calls"), publishes);
  const bytesPerPublish = perEach(
    w("scale", "blobs_bytes_read"),
    w("scale-control", "blobs_bytes_read"),
    publishes,
    0,
  );
  const largest = maxOf(
    ["scale", "scale-control", "slow-blobs-scale"].map((s) => n(s, "largest_blob_read.bytes")),
  );
  const coldCalls = sum(
    Object.fromEntries(
      Object.entries((r("scale", "cold_first_list") as Record<string, Json> | undefined) ?? {}).map(
        ([locale, tally]) => [locale, tally.butterCalls],
      ),
    ),
  );
  const coldDefault = n("scale", "cold_first_list.default.butterCalls");
  const twinsAgree = ["scale-control", "slow-blobs-scale"].every(
    (s) =>
      reports[s] === null ||
      reports[s] === undefined ||
      (n(s, "at_window_start.butter_calls") === n("scale", "at_window_start.butter_calls") &&
        n(s, "at_window_start.blobs_bytes_read") === n("scale", "at_window_start.blobs_bytes_read")),
  );
  const heapMb = n("memory", "largest_warm_mb");
  const smallPerPublish = perEach(
    w("scale-small", "butter_calls"),
    w("scale-small-control", "butter_calls"),
    n("scale-small", "publishes"),
  );
  const scale = {
    posts: n("scale", "posts"),
    locales: r("scale", "locales") ?? null,
    instances: n("scale", "read_instances"),
    publish_window_s: n("scale", "publish_window_s"),
    publishes,
    butter_calls_per_publish: perPublish,
    window_butter_calls: {
      with_publishes: w("scale", "butter_calls"),
      without: w("scale-control", "butter_calls"),
    },
    blobs_bytes_read_per_publish: bytesPerPublish,
    blobs_mb_read_per_publish: bytesPerPublish === null ? null : round(bytesPerPublish / MB, 2),
    largest_blob_read_bytes: largest,
    largest_blob_read_key: r("scale", "largest_blob_read.key") ?? null,
    cold_first_list_butter_calls: coldDefault,
    cold_first_list_butter_calls_all_locales: coldCalls,
    butter_calls_per_publish_with_10_instances: smallPerPublish,
    twins_agree_at_window_start: twinsAgree,
    webhook_ms_max: n("scale", "webhook_ms_max"),
    index_memory_mb: {
      heap_delta_largest_instance: heapMb,
      largest_blob_stored: bytesToMb(n("memory", "blobs.largestBytes")),
      largest_blob_stored_key: r("memory", "blobs.largestKey") ?? null,
    },
    targets: {
      butter_calls_per_publish: 20,
      blobs_bytes_read_per_publish: 5 * MB,
      largest_blob_read_bytes: MB,
      cold_first_list_butter_calls: 0,
      heap_mb: 64,
    },
    meets: {
      butter_calls_per_publish: atMost(perPublish, 20),
      blobs_bytes_read_per_publish: atMost(bytesPerPublish, 5 * MB),
      largest_blob_read_bytes: atMost(largest, MB),
      cold_first_list_butter_calls: coldDefault === 0,
      heap_mb: atMost(heapMb, 64),
      twins_agree_at_window_start: twinsAgree,
    },
    meets_target:
      atMost(perPublish, 20) &&
      atMost(bytesPerPublish, 5 * MB) &&
      atMost(largest, MB) &&
      coldDefault === 0 &&
      atMost(heapMb, 64) &&
      twinsAgree,
  };

  const outageCalls = b("scale", "window.butter_calls");
  const controlCalls = b("scale-control", "window.butter_calls");
  const blobsRatio = ratio(outageCalls, controlCalls, 2);
  const blobsShare = b("scale", "reader_share_200");
  const blobs_outage = {
    minutes: minutes(n("scale", "blobs_window_s")),
    butter_calls_ratio: blobsRatio,
    butter_calls: { blobs_down: outageCalls, blobs_up: controlCalls },
    share_200: blobsShare,
    blobs_failed_calls: b("scale", "window.blobs_failed_calls"),
    target_ratio: 2,
    target_share: 0.999,
    meets_target: atMost(blobsRatio, 2) && atLeast(blobsShare, 0.999),
  };
  const slowScaleRatio = ratio(b("slow-blobs-scale", "window.butter_calls"), controlCalls, 2);
  const slowVisible = n("slow-blobs", "visibility.max");
  const slow_blobs = {
    factor: n("slow-blobs", "blobs_slow_factor"),
    publish_to_visible_max_s: slowVisible,
    not_visible_within_window: n("slow-blobs", "visibility.not_visible_within_window"),
    share_200: n("slow-blobs", "reader_share_200"),
    /** Leaving out 404s for a draft published less than 10 s before (the freshness promise not yet due). */
    share_200_past_promise: n("slow-blobs", "reader_share_200_past_promise"),
    webhook_ms_max: n("slow-blobs", "webhook_ms_max"),
    butter_calls_per_100k_views: n("slow-blobs", "butter_calls_per_100k_views"),
    /** Only with `--only slow-blobs-scale,scale-control`: the scale site's ButterCMS calls in 10 minutes of slow Blobs. */
    scale_butter_calls_ratio: slowScaleRatio,
    meets_target:
      atMost(slowVisible, 10) &&
      n("slow-blobs", "visibility.not_visible_within_window") === 0 &&
      atLeast(n("slow-blobs", "reader_share_200_past_promise"), 0.999) &&
      atMost(n("slow-blobs", "webhook_ms_max"), 5_000),
  };
  const slowButterWebhook = n("slow-butter", "webhook_ms_max");
  const slow_butter = {
    butter_latency_ms: n("slow-butter", "butter_latency_ms"),
    publish_to_visible_max_s: n("slow-butter", "visibility.max"),
    not_visible_within_window: n("slow-butter", "visibility.not_visible_within_window"),
    webhook_ms_max: slowButterWebhook,
    reader_share_200: n("slow-butter", "reader_share_200"),
    target_webhook_ms: 5_000,
    meets_target:
      atMost(slowButterWebhook, 5_000) &&
      atMost(n("slow-butter", "visibility.max"), 10) &&
      n("slow-butter", "visibility.not_visible_within_window") === 0,
  };
  const reconcileMax = n("reconcile-300ms", "scheduled.ms_max");
  const reconcile_300ms = {
    butter_latency_ms: n("reconcile-300ms", "butter_latency_ms"),
    runs: n("reconcile-300ms", "scheduled.runs"),
    full_passes: n("reconcile-300ms", "scheduled.full_passes"),
    run_ms_max: reconcileMax,
    statuses: r("reconcile-300ms", "scheduled.statuses") ?? null,
    target_ms: 30_000,
    meets_target:
      (n("reconcile-300ms", "scheduled.runs") ?? 0) > 0 &&
      atMost(reconcileMax, 30_000) &&
      Object.keys((r("reconcile-300ms", "scheduled.statuses") as Json | undefined) ?? {}).every((s) =>
        s.startsWith("2"),
      ),
  };

  const plans = Object.keys(PLANS).map((key) => {
    const scenario = `plan-${key}`;
    const share = n(scenario, "reconcile_share");
    const plan = PLANS[key] as (typeof PLANS)[string];
    return {
      plan: plan.name,
      posts: plan.posts,
      locales: plan.locales.length,
      quota: plan.quota,
      reconcile_calls_per_month: n(scenario, "reconcile_calls_per_month"),
      reconcile_share: share,
      virtual_days: n(scenario, "virtual_days"),
      runs: n(scenario, "scheduled.runs"),
      full_passes: n(scenario, "scheduled.full_passes"),
      run_ms_max: n(scenario, "scheduled.ms_max"),
      target_share: 0.02,
      meets_target: atMost(share, 0.02),
    };
  });

  const newest = n("lost-webhook", "newest_hundred.healed_max_s");
  const any = n("lost-webhook", "all.healed_max_s");
  const lost_webhook = {
    posts: n("lost-webhook", "posts"),
    locales: r("lost-webhook", "locales") ?? null,
    webhooks_lost: n("lost-webhook", "webhooks_lost"),
    newest_healed_max_s: newest,
    any_healed_max_s: any,
    not_healed: n("lost-webhook", "all.not_healed"),
    watched_s: n("lost-webhook", "all.not_healed_within_s"),
    target_newest_s: 3_600,
    target_any_s: 86_400,
    meets_target: atMost(newest, 3_600) && atMost(any, 86_400),
  };

  const mark = (ok: boolean) => (ok ? "ok  " : "MISS");
  const checks = [
    `${mark(publish_to_visible_s.meets_target)} publish → visible (s)        p50 ${publish_to_visible_s.p50}  p99 ${publish_to_visible_s.p99}  max ${visMax} (≤ 10; not visible: ${publish_to_visible_s.not_visible_within_window})`,
    `${mark(stemmed_search_visible_s.meets_target)} stemmed search → visible (s) max ${stemMax} over ${stemmed_search_visible_s.publishes} publishes (≤ 10)`,
    `     per 100k views                ButterCMS ${butter_calls_per_100k_views.ours} (naive ${butter_calls_per_100k_views.naive}), CDN refills ${cdn_refills_per_100k_views.value}, function invocations ${function_invocations_per_100k_views.value}`,
    `${mark(outage_drill.meets_target)} outage drill share_200      CDN ${outageShare}  functions ${outage_drill.function_share_200} (≥ 0.999)`,
    `${mark(outage_drill_slow_blobs.meets_target)} outage, Blobs 10x slow      CDN ${slowShare}  functions ${outage_drill_slow_blobs.function_share_200}; answers listing unpublished posts ${listingRemoved} (≥ 0.999, 0)`,
    `${mark(atMost(perPublish, 20))} scale calls/publish          ${perPublish} (≤ 20)${smallPerPublish === null ? "" : `; ${smallPerPublish} with 10 instances`}`,
    `${mark(atMost(bytesPerPublish, 5 * MB))} scale Blobs MB read/publish  ${scale.blobs_mb_read_per_publish} (≤ 5)`,
    `${mark(atMost(largest, MB))} largest Blobs read (bytes)   ${largest} (≤ ${MB})`,
    `${mark(coldDefault === 0)} cold first list calls        ${coldDefault} (0)`,
    `${mark(atMost(heapMb, 64))} warm instance heap (MB)      ${heapMb} (≤ 64)`,
    `${mark(blobs_outage.meets_target)} Blobs down 10 min            calls ×${blobsRatio} (≤ 2), share_200 ${blobsShare} (≥ 0.999)`,
    `${mark(slow_blobs.meets_target)} Blobs 10x slower             visible max ${slowVisible} s, share_200 ${slow_blobs.share_200} (${slow_blobs.share_200_past_promise} past the 10 s promise), webhook max ${slow_blobs.webhook_ms_max} ms${slowScaleRatio === null ? "" : `; scale calls ×${slowScaleRatio}`}`,
    `${mark(slow_butter.meets_target)} ButterCMS 300 ms             visible max ${slow_butter.publish_to_visible_max_s} s, webhook max ${slowButterWebhook} ms (≤ 5000)`,
    `${mark(reconcile_300ms.meets_target)} reconcile at 300 ms          run max ${reconcileMax} ms over ${reconcile_300ms.runs} runs (${reconcile_300ms.full_passes} full) (≤ 30000)`,
    ...plans.map(
      (p) =>
        `${mark(p.meets_target)} plan ${p.plan.padEnd(13)}       ${p.reconcile_calls_per_month} calls/month = ${p.reconcile_share} of ${p.quota} (≤ 0.02)`,
    ),
    `${mark(lost_webhook.meets_target)} lost webhook healed (s)      newest ${newest} (≤ 3600), any ${any} (≤ 86400)`,
    `${mark(twinsAgree)} twins agree at window start  ${twinsAgree}`,
  ];

  return {
    publish_to_visible_s,
    stemmed_search_visible_s,
    butter_calls_per_100k_views,
    cdn_refills_per_100k_views,
    function_invocations_per_100k_views,
    outage_drill,
    outage_drill_slow_blobs,
    scale,
    blobs_outage,
    slow_blobs,
    slow_butter,
    reconcile_300ms,
    plans,
    lost_webhook,
    checks,
  };
}

function sum(value: unknown): number | null {
  if (!value || typeof value !== "object") return null;
  const numbers = Object.values(value as Json).filter((v): v is number => typeof v === "number");
  return numbers.length ? numbers.reduce((a, b) => a + b, 0) : null;
}

function maxOf(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
}

const bytesToMb = (bytes: number | null): number | null => (bytes === null ? null : round(bytes / MB, 2));
const minutes = (seconds: number | null): number | null => (seconds === null ? null : seconds / 60);
