/** The results table of bench/SIM.md, rendered from bench/sim-results.json (current run and baseline). */

type Json = Record<string, unknown>;

const get = (value: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Json)[key] : undefined), value);

const show = (value: unknown): string => (value === null || value === undefined ? "—" : String(value));

const ROWS: [string, string, (run: Json) => string][] = [
  [
    "publish → visible, p50 / p99 / max (s)",
    "max ≤ 10",
    (r) => {
      // A percentile past the publishes seen within the window is "more than the window".
      const late = (value: unknown) =>
        value === null && Number(get(r, "publish_to_visible_s.not_visible_within_window")) > 0
          ? `> ${show(get(r, "publish_to_visible_s.window_s"))}`
          : show(value);
      return `${late(get(r, "publish_to_visible_s.p50"))} / ${late(get(r, "publish_to_visible_s.p99"))} / ${late(get(r, "publish_to_visible_s.max"))}`;
    },
  ],
  [
    "publishes not visible within the window",
    "0",
    (r) =>
      `${show(get(r, "publish_to_visible_s.not_visible_within_window"))} of ${show(get(r, "publish_to_visible_s.publishes"))} (window ${show(get(r, "publish_to_visible_s.window_s"))} s)`,
  ],
  [
    "ButterCMS calls per 100k views: ours",
    "≤ 1.2 × bound",
    (r) => show(get(r, "butter_calls_per_100k_views.ours")),
  ],
  [
    "… lower bound (1 per key per purge or expiry)",
    "",
    (r) => show(get(r, "butter_calls_per_100k_views.lower_bound")),
  ],
  ["… ours / bound", "≤ 1.2", (r) => show(get(r, "butter_calls_per_100k_views.ours_over_bound"))],
  ["… naive handler behind the same CDN", "", (r) => show(get(r, "butter_calls_per_100k_views.naive"))],
  [
    "Outage drill: share of 200s for content served before",
    "≥ 0.999",
    (r) => `${show(get(r, "outage_drill.share_200"))} of ${show(get(r, "outage_drill.requests"))}`,
  ],
  [
    "Scale (10,000 posts, 50 warm instances): ButterCMS calls per publish",
    "≤ 10",
    (r) =>
      `${show(get(r, "scale.butter_calls_per_publish"))} with ${show(get(r, "scale.instances"))} instances (raw Δ ${show(get(r, "scale.butter_calls_per_publish_raw"))})`,
  ],
  [
    "… with 10 warm instances",
    "same",
    (r) =>
      `${show(get(r, "scale.butter_calls_per_publish_with_10_instances"))} with ${show(get(r, "scale.small_instances"))} instances`,
  ],
  [
    "… largest instance heap after warm-up (MB)",
    "≤ 64",
    (r) => show(get(r, "scale.index_memory_mb.heap_delta_largest_instance")),
  ],
  [
    "… largest blob in Netlify Blobs (MB, serialised)",
    "",
    (r) => show(get(r, "scale.index_memory_mb.largest_blob_serialised")),
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
  if (results.baseline && typeof results.baseline === "object")
    runs.push(["baseline", results.baseline as Json]);
  const header = `| metric | target | ${runs.map(([name, run]) => `${name} (${label(run)})`).join(" | ")} |`;
  const rule = `| --- | --- | ${runs.map(() => "---").join(" | ")} |`;
  const rows = ROWS.map(
    ([metric, target, cell]) => `| ${metric} | ${target} | ${runs.map(([, run]) => cell(run)).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}
