/** The results table of bench/SIM.md, rendered from bench/sim-results.json (the latest run, and any saved with --save-as). */

type Json = Record<string, unknown>;

const get = (value: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Json)[key] : undefined), value);

const show = (value: unknown): string => (value === null || value === undefined ? "—" : String(value));
const mb = (bytes: unknown): string =>
  typeof bytes === "number" ? `${(bytes / 2 ** 20).toFixed(2)} MB (${bytes} B)` : "—";
const met = (run: Json, path: string): string => (get(run, path) === true ? "yes" : "**no**");
/** A scenario's slowest publish → visible, or how many never were within its window. */
const visible = (run: Json, figure: string): string => {
  const max = get(run, `${figure}.publish_to_visible_max_s`);
  const missing = get(run, `${figure}.not_visible_within_window`);
  return typeof missing === "number" && missing > 0 ? `${missing} publishes never visible` : show(max);
};

type Row = [metric: string, target: string, cell: (run: Json) => string];

const ROWS: Row[] = [
  [
    "publish → visible, p50 / p99 / max (s)",
    "max ≤ 10",
    (r) => {
      // A percentile past the publishes seen within the window is "more than the window".
      const late = (value: unknown) =>
        value === null && Number(get(r, "publish_to_visible_s.not_visible_within_window")) > 0
          ? `> ${show(get(r, "publish_to_visible_s.window_s"))}`
          : show(value);
      return `${late(get(r, "publish_to_visible_s.p50"))} / ${late(get(r, "publish_to_visible_s.p99"))} / ${late(get(r, "publish_to_visible_s.max"))} (${met(r, "publish_to_visible_s.meets_target")})`;
    },
  ],
  [
    "publishes not visible within the window",
    "0",
    (r) =>
      `${show(get(r, "publish_to_visible_s.not_visible_within_window"))} of ${show(get(r, "publish_to_visible_s.publishes"))} (window ${show(get(r, "publish_to_visible_s.window_s"))} s)`,
  ],
  [
    "stemmed search → visible, max (s)",
    "≤ 10",
    (r) =>
      `${show(get(r, "stemmed_search_visible_s.max"))} over ${show(get(r, "stemmed_search_visible_s.publishes"))} publishes (${met(r, "stemmed_search_visible_s.meets_target")})`,
  ],
  ["ButterCMS calls per 100k views", "", (r) => show(get(r, "butter_calls_per_100k_views.ours"))],
  ["… naive handler behind the same CDN", "", (r) => show(get(r, "butter_calls_per_100k_views.naive"))],
  ["CDN refills per 100k views", "", (r) => show(get(r, "cdn_refills_per_100k_views.value"))],
  [
    "function invocations per 100k views",
    "",
    (r) => show(get(r, "function_invocations_per_100k_views.value")),
  ],
  [
    "ButterCMS outage: share of 200s, at the CDN / at the functions",
    "≥ 0.999",
    (r) =>
      `${show(get(r, "outage_drill.share_200"))} / ${show(get(r, "outage_drill.function_share_200"))} of ${show(get(r, "outage_drill.requests"))} (${met(r, "outage_drill.meets_target")})`,
  ],
  [
    "… with Blobs 10× slower and 2 unpublishes before: share of 200s, CDN / functions; answers listing an unpublished post",
    "≥ 0.999; 0",
    (r) =>
      `${show(get(r, "outage_drill_slow_blobs.share_200"))} / ${show(get(r, "outage_drill_slow_blobs.function_share_200"))}; ${show(get(r, "outage_drill_slow_blobs.answers_listing_unpublished"))} (${met(r, "outage_drill_slow_blobs.meets_target")})`,
  ],
  [
    "Scale (10,000 posts × 3 locales, 50 instances): ButterCMS calls per publish",
    "≤ 20",
    (r) =>
      `${show(get(r, "scale.butter_calls_per_publish"))} (${show(get(r, "scale.window_butter_calls.with_publishes"))} − ${show(get(r, "scale.window_butter_calls.without"))} over ${show(get(r, "scale.publishes"))} publishes; twins agree before: ${show(get(r, "scale.twins_agree_at_window_start"))}) (${met(r, "scale.meets.butter_calls_per_publish")})`,
  ],
  [
    "… Blobs bytes read per publish, all instances",
    "≤ 5 MB",
    (r) =>
      `${mb(get(r, "scale.blobs_bytes_read_per_publish"))} (${met(r, "scale.meets.blobs_bytes_read_per_publish")})`,
  ],
  [
    "… largest single Blobs read",
    "≤ 1 MB",
    (r) =>
      `${mb(get(r, "scale.largest_blob_read_bytes"))}, \`${show(get(r, "scale.largest_blob_read_key"))}\` (${met(r, "scale.meets.largest_blob_read_bytes")})`,
  ],
  [
    "… ButterCMS calls of a cold instance's first list request",
    "0",
    (r) =>
      `${show(get(r, "scale.cold_first_list_butter_calls"))} (${met(r, "scale.meets.cold_first_list_butter_calls")})`,
  ],
  [
    "… largest warm instance heap (MB)",
    "≤ 64",
    (r) =>
      `${show(get(r, "scale.index_memory_mb.heap_delta_largest_instance"))} (${met(r, "scale.meets.heap_mb")})`,
  ],
  [
    "Blobs down 10 min: ButterCMS calls vs Blobs up; readers' share of 200s",
    "≤ 2×; ≥ 0.999",
    (r) =>
      `${show(get(r, "blobs_outage.butter_calls_ratio"))}× (${show(get(r, "blobs_outage.butter_calls.blobs_down"))} vs ${show(get(r, "blobs_outage.butter_calls.blobs_up"))}); ${show(get(r, "blobs_outage.share_200"))} (${met(r, "blobs_outage.meets_target")})`,
  ],
  [
    "Blobs 10× slower: publish → visible max (s); readers' share of 200s, leaving out 404s for a draft published under 10 s before (all); webhook max (ms)",
    "≤ 10; ≥ 0.999; ≤ 5000",
    (r) =>
      `${visible(r, "slow_blobs")}; ${show(get(r, "slow_blobs.share_200_past_promise"))} (${show(get(r, "slow_blobs.share_200"))}); ${show(get(r, "slow_blobs.webhook_ms_max"))} (${met(r, "slow_blobs.meets_target")})`,
  ],
  [
    "ButterCMS at 300 ms: publish → visible max (s); webhook max (ms)",
    "≤ 10; ≤ 5000",
    (r) =>
      `${visible(r, "slow_butter")}; ${show(get(r, "slow_butter.webhook_ms_max"))} (${met(r, "slow_butter.meets_target")})`,
  ],
  [
    "Reconciliation at 300 ms (Professional): longest run (ms)",
    "≤ 30000",
    (r) =>
      `${show(get(r, "reconcile_300ms.run_ms_max"))} over ${show(get(r, "reconcile_300ms.runs"))} runs, ${show(get(r, "reconcile_300ms.full_passes"))} full (${met(r, "reconcile_300ms.meets_target")})`,
  ],
  ...["Free", "Basic", "Advanced", "Professional"].map(
    (name, i): Row => [
      `Reconciliation, ${name} plan: calls a month / quota`,
      "≤ 0.02",
      (r) => {
        const row = `plans.${i}`;
        return `${show(get(r, `${row}.reconcile_calls_per_month`))} / ${show(get(r, `${row}.quota`))} = ${show(get(r, `${row}.reconcile_share`))} (${get(r, `${row}.posts`)} posts × ${get(r, `${row}.locales`)} locale(s); ${met(r, `${row}.meets_target`)})`;
      },
    ],
  ),
  [
    "Lost webhook visible at the CDN: newest 100 / any post (s)",
    "≤ 3600 / ≤ 86400",
    (r) =>
      `${show(get(r, "lost_webhook.newest_healed_max_s"))} / ${show(get(r, "lost_webhook.any_healed_max_s"))} (${show(get(r, "lost_webhook.webhooks_lost"))} lost; ${met(r, "lost_webhook.meets_target")})`,
  ],
  [
    "`npm run sim`'s real duration (s)",
    "≤ 300",
    (r) => {
      const seconds = get(r, "wall_seconds");
      return `${show(seconds)} on ${show(get(r, "machine.cpus"))} cores (${typeof seconds === "number" && seconds <= 300 ? "yes" : "**no**"})`;
    },
  ],
];

const label = (run: Json): string => {
  const source = get(run, "source") as Json | undefined;
  const what =
    source?.tree === "commit"
      ? `commit ${show(source.rev)}`
      : `tree at ${show(source?.rev)}${source?.uncommitted_changes ? "+" : ""}`;
  return `${what}, ${String(get(run, "generated") ?? "").slice(0, 10)}`;
};

export function renderTable(results: Json): string {
  const runs: [string, Json][] = [["latest", results]];
  for (const [name, value] of Object.entries(results)) {
    if (value && typeof value === "object" && "generated" in value) runs.push([name, value as Json]);
  }
  const header = `| metric | target | ${runs.map(([name, run]) => `${name} (${label(run)})`).join(" | ")} |`;
  const rule = `| --- | --- | ${runs.map(() => "---").join(" | ")} |`;
  const rows = ROWS.map(
    ([metric, target, cell]) => `| ${metric} | ${target} | ${runs.map(([, run]) => cell(run)).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}
