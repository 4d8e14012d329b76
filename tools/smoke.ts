/**
 * `npm run smoke -- <base-url>`: checks a running deploy (or `npm start`)
 * from outside, with no secrets, the way a frontend and ButterCMS see it:
 *
 * - every public endpoint answers its documented status, and its body
 *   validates against this checkout's `openapi.json`;
 * - an unknown `/api/…` path is a `404 not_found` problem, never HTML;
 * - CORS, cache and ETag headers are as docs/http-contract.md says;
 * - behind Netlify's CDN, a repeated request is a hit in `Cache-Status`
 *   (without that header it says "not behind Netlify's CDN" and moves on);
 * - with `WEBHOOK_SECRET` in the environment, a publish round trip: a
 *   `post.published` event for an existing post answers 200 (or 202
 *   `pending`), then the post's page misses the CDN and then hits again.
 *
 * One line per check (ok / FAIL / note), then a summary; exit 1 when
 * anything failed, 2 on bad usage. The secret is never printed. Imports
 * nothing from src/: it is a client like any other.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import document from "../openapi.json";
import { openApiAjv, pointer, queryParameters, responseProblems } from "./openapi-check.ts";

const USAGE = `usage: npm run smoke -- <base-url> [--origin <origin>] [--wait <seconds>] [--timeout <seconds>]

  <base-url>   the deploy or local server: https://<site>.netlify.app, http://localhost:8888
  --origin     an origin listed in the deploy's ALLOWED_ORIGINS (needed when that is set)
  --wait       seconds the publish round trip waits for the CDN's miss, then for its hit (default 10)
  --timeout    seconds per request (default 15)

With WEBHOOK_SECRET in the environment it also sends a post.published webhook for an
existing post: like a real publish, that purges the CDN's copies of the blog's posts.`;

// ---------------------------------------------------------------- options

interface Options {
  base: string;
  /** Set with --origin: a listed origin, echoed by CORS; else any origin gets `*`. */
  origin: string | null;
  waitMs: number;
  timeoutMs: number;
}

function seconds(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback * 1000;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new Error(`--${name} must be a positive number of seconds`);
  return parsed * 1000;
}

function parseOptions(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      origin: { type: "string" },
      wait: { type: "string" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) throw new Error("");
  if (positionals.length !== 1) throw new Error("give exactly one base URL");
  let url: URL;
  try {
    url = new URL(positionals[0] as string);
  } catch {
    throw new Error(`not a URL: ${positionals[0]}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("the base URL must be http(s)");
  let origin: string | null = null;
  if (values.origin !== undefined) {
    origin = URL.canParse(values.origin) ? new URL(values.origin).origin : "";
    if (origin !== values.origin.replace(/\/$/, ""))
      throw new Error(`--origin must be an origin: ${values.origin}`);
  }
  return {
    base: `${url.origin}${url.pathname.replace(/\/+$/, "")}`,
    origin,
    waitMs: seconds(values.wait, 10, "wait"),
    timeoutMs: seconds(values.timeout, 15, "timeout"),
  };
}

// ---------------------------------------------------------------- report

type Status = "ok" | "FAIL" | "note";

interface Line {
  status: Status;
  name: string;
}

const secret = process.env.WEBHOOK_SECRET?.trim() ?? "";
const secretForms = [...new Set([process.env.WEBHOOK_SECRET ?? "", secret])].filter(Boolean);
/** Every printed character passes here: the secret never reaches the output, whatever echoes it. */
const redact = (text: string): string =>
  secretForms.reduce((out, form) => out.split(form).join("[redacted]"), text);
const lines: Line[] = [];
const MAX_PROBLEMS = 6;

function record(status: Status, name: string, detail: string, problems: string[] = []): void {
  lines.push({ status, name });
  const unique = [...new Set(problems)];
  const shown = unique.length > MAX_PROBLEMS ? unique.slice(0, MAX_PROBLEMS - 1) : unique;
  if (shown.length < unique.length) shown.push(`… and ${unique.length - shown.length} more`);
  const text = [
    `${status.padEnd(5)} ${name}${detail ? `: ${detail}` : ""}`,
    ...shown.map((p) => `        ${p}`),
  ];
  console.log(redact(text.join("\n")));
}

/** ok with `okDetail` when there are no problems, else FAIL listing them. */
function verdict(name: string, okDetail: string, problems: string[], failDetail: string): void {
  if (problems.length) record("FAIL", name, failDetail, problems);
  else record("ok", name, okDetail);
}

// ---------------------------------------------------------------- HTTP

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json?: unknown;
}

let options: Options;

async function send(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${options.base}${path}`, {
    ...init,
    // Every request comes from a cross-origin frontend, as the contract's CORS rules assume.
    headers: {
      Origin: options.origin ?? "https://smoke-check.invalid",
      ...((init.headers as Record<string, string> | undefined) ?? {}),
    },
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  if (/json/.test(res.headers.get("Content-Type") ?? "")) {
    try {
      json = JSON.parse(text);
    } catch {
      // left undefined: the contract check reports a body that is not JSON
    }
  }
  return { status: res.status, headers: res.headers, text, json };
}

function errorText(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") {
    return `no answer within ${options.timeoutMs / 1000} s`;
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const why = typeof cause?.code === "string" ? cause.code : cause?.message;
  return typeof why === "string" && why ? `${message} (${why})` : message;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mediaType = (a: Answer) =>
  (a.headers.get("Content-Type") ?? "").split(";")[0]?.trim() || "no Content-Type";
const problemCode = (a: Answer): string | undefined => {
  const code = (a.json as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
};
/** A problem's `detail`, for people: what the deploy says went wrong. */
const problemDetail = (a: Answer): string[] => {
  const detail = (a.json as { detail?: unknown } | undefined)?.detail;
  return typeof detail === "string" && a.status >= 400 ? [`detail: ${detail}`] : [];
};
const statusText = (a: Answer) => {
  const code = problemCode(a);
  return `${a.status} ${mediaType(a)}${code && a.status >= 400 ? ` ${code}` : ""}`;
};
const listOf = (header: string | null) =>
  (header ?? "")
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);

// ---------------------------------------------------------------- Cache-Status (RFC 9211)

/** True when a cache in `Cache-Status` answered from storage: `"Netlify Edge"; hit`, `"Netlify Durable"; hit; ttl=…`. */
function cacheHit(value: string | null): boolean {
  return (value ?? "").split(",").some((member) =>
    member
      .split(";")
      .slice(1)
      .some((param) => param.trim().toLowerCase() === "hit"),
  );
}

// ---------------------------------------------------------------- the endpoints

const ajv = openApiAjv(document as object);
const EXPOSED = ["etag", "retry-after", "x-content-stale"];
const PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate";
const PRIVATE_CACHE_CONTROL = "private, no-store";
const CDN_DIRECTIVE = /^public, durable, s-maxage=(\d+)(, stale-while-revalidate=(\d+))?$/;

interface Probe {
  /** The report's name for it. */
  name: string;
  path: string;
  init?: RequestInit;
  /** Its operation in openapi.json; none for a path no endpoint owns. */
  operation?: [path: string, method: string];
  /** The statuses that pass. */
  expect: number[];
  /** A public, CDN-cacheable read (when it answers 200), with at least these cache tags. */
  tags?: string[];
  /** Reads a session: CORS echoes only listed origins, never `*`. */
  session?: boolean;
  /** Further problems with what it answered (documented status only). */
  extra?: (answer: Answer) => string[];
  /** What the ok line adds; a note instead of ok when `note` says so. */
  summary?: (answer: Answer) => string;
  note?: (answer: Answer) => string | undefined;
}

interface Seen {
  probe: Probe;
  answer: Answer;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const xmlRoot =
  (root: string) =>
  (answer: Answer): string[] =>
    new RegExp(`^(<\\?xml[^>]*\\?>\\s*)?<${root}[\\s>]`).test(answer.text)
      ? []
      : [`the body is not an XML document with a <${root}> root`];

const problemIs =
  (code: string) =>
  (answer: Answer): string[] =>
    answer.status >= 400 && problemCode(answer) !== code
      ? [`the problem's code is ${problemCode(answer) ?? "missing"}, not ${code}`]
      : [];

const data = (answer: Answer) => (answer.json as { data?: unknown } | undefined)?.data;

function probes(slug: string | undefined, word: string, nonce: string): Probe[] {
  const feed = (type: string, root: string): Probe => ({
    name: `GET /api/feeds/${type}`,
    path: `/api/feeds/${type}`,
    operation: ["/api/feeds/{type}", "get"],
    expect: [200],
    tags: ["posts", "feeds"],
    extra: xmlRoot(root),
  });
  const terms = (path: string, tags: string[]): Probe => ({
    name: `GET ${path}`,
    path,
    operation: [path.split("?")[0] as string, "get"],
    expect: [200],
    tags,
    summary: (a) => `${(data(a) as unknown[]).length} items`,
  });
  const post: Probe[] = slug
    ? [
        {
          name: `GET /api/posts/${slug}`,
          path: `/api/posts/${slug}`,
          operation: ["/api/posts/{slug}", "get"],
          expect: [200],
          tags: ["posts", `post:${slug}`],
          extra: (a) =>
            (data(a) as { slug?: unknown }).slug === slug ? [] : [`the post answered is not ${slug}`],
        },
        {
          name: `GET /api/posts/${slug}/related`,
          path: `/api/posts/${slug}/related`,
          operation: ["/api/posts/{slug}/related", "get"],
          expect: [200],
          tags: ["posts", `post:${slug}`],
          summary: (a) => `${(data(a) as unknown[]).length} related posts`,
        },
      ]
    : [];
  return [
    {
      name: "GET /api/posts",
      path: "/api/posts",
      operation: ["/api/posts", "get"],
      expect: [200],
      tags: ["posts"],
      summary: (a) =>
        `${(data(a) as unknown[]).length} of ${(a.json as { meta: { count: number } }).meta.count} posts`,
    },
    ...post,
    {
      name: `GET /api/search?q=${word}`,
      path: `/api/search?q=${encodeURIComponent(word)}`,
      operation: ["/api/search", "get"],
      expect: [200],
      tags: ["posts", "search"],
      summary: (a) => `${(data(a) as unknown[]).length} results`,
    },
    terms("/api/categories", ["categories"]),
    terms("/api/tags", ["tags"]),
    terms("/api/authors?include=recent_posts", ["authors", "posts"]),
    feed("rss", "rss"),
    feed("atom", "feed"),
    feed("sitemap", "urlset"),
    {
      name: "GET /api/openapi.json",
      path: "/api/openapi.json",
      operation: ["/api/openapi.json", "get"],
      expect: [200],
      tags: ["openapi"],
      extra: (a) =>
        canonical(a.json) === canonical(document)
          ? []
          : ["the deploy serves another openapi.json than this checkout's (deployed from another commit?)"],
      summary: () => "the same document as this checkout's",
    },
    {
      name: "GET /api/ip-allowlist",
      path: "/api/ip-allowlist",
      operation: ["/api/ip-allowlist", "get"],
      expect: [200],
    },
    {
      name: "GET /api/auth",
      path: "/api/auth",
      operation: ["/api/auth", "get"],
      expect: [200, 503],
      session: true,
      extra: problemIs("auth_not_configured"),
      summary: (a) => (a.status === 200 ? "no session" : "previews are not configured on the deploy"),
    },
    {
      name: "unknown parameter",
      path: "/api/posts?smoke=1",
      operation: ["/api/posts", "get"],
      expect: [400],
      extra: (a) => {
        const named = ((a.json as { errors?: { name?: unknown }[] }).errors ?? []).some(
          (e) => e.name === "smoke",
        );
        return [
          ...problemIs("invalid_parameter")(a),
          ...(named ? [] : ["the problem does not name `smoke`"]),
        ];
      },
      summary: () => "naming it",
    },
    {
      name: "unknown post",
      path: `/api/posts/smoke-${nonce}`,
      operation: ["/api/posts/{slug}", "get"],
      expect: [404],
      extra: problemIs("not_found"),
    },
    {
      name: "unknown /api path",
      path: `/api/smoke-${nonce}`,
      expect: [404],
      extra: problemIs("not_found"),
    },
    {
      name: "webhook without the secret",
      path: "/api/webhooks/buttercms",
      init: {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ data: { id: "smoke" }, webhook: { event: "post.published" } }),
      },
      operation: ["/api/webhooks/buttercms", "post"],
      expect: [401, 503],
      extra: (a) => problemIs(a.status === 401 ? "unauthorized" : "webhook_not_configured")(a),
      note: (a) =>
        a.status === 503
          ? "the deploy has no WEBHOOK_SECRET: ButterCMS's webhooks are refused, so the CDN learns of changes only when its copies expire"
          : undefined,
    },
  ];
}

/** A path no endpoint owns: a 404 `application/problem+json` that validates as a Problem. */
function problemOnlyChecks(answer: Answer): string[] {
  if (mediaType(answer) !== "application/problem+json") {
    return [
      `not a problem: ${statusText(answer)}${/html/.test(mediaType(answer)) ? " (the site's HTML?)" : ""}`,
    ];
  }
  const validate = ajv.getSchema(`openapi#/${pointer("components", "schemas", "Problem")}`);
  return validate?.(answer.json) ? [] : [`body: not a Problem: ${ajv.errorsText(validate?.errors)}`];
}

/** `GET /api/x → ` when the check's name does not say which request it made. */
const request = (probe: Probe) =>
  /^[A-Z]+ \//.test(probe.name) ? "" : `${probe.init?.method ?? "GET"} ${probe.path} → `;

function judge(probe: Probe, answer: Answer): void {
  if (!probe.expect.includes(answer.status)) {
    const why =
      problemCode(answer) === "ip_not_allowed"
        ? ["this machine's IP is outside the deploy's IP_ALLOWLIST"]
        : [];
    const notProblem = probe.operation ? [] : problemOnlyChecks(answer);
    record(
      "FAIL",
      probe.name,
      `${request(probe)}${statusText(answer)}, expected ${probe.expect.join(" or ")}`,
      [...why, ...problemDetail(answer), ...notProblem],
    );
    return;
  }
  const [path, method] = probe.operation ?? ["", ""];
  const contract = probe.operation
    ? responseProblems(ajv, document as object, path, method, answer).map((p) => `body: ${p}`)
    : problemOnlyChecks(answer);
  const problems = contract.length ? contract : (probe.extra?.(answer) ?? []);
  if (problems.length) {
    record("FAIL", probe.name, `${request(probe)}${statusText(answer)}, not as documented`, problems);
    return;
  }
  const note = probe.note?.(answer);
  const documented = probe.operation ? "valid per openapi.json" : "a problem, as documented";
  record(
    note ? "note" : "ok",
    probe.name,
    [`${request(probe)}${statusText(answer)}`, probe.summary?.(answer), note ?? documented]
      .filter(Boolean)
      .join(", "),
  );
}

/** Sends the probes a few at a time; judges and records them in order. */
async function runProbes(list: Probe[], ready: Map<Probe, Answer>): Promise<Seen[]> {
  const pending = new Map<Probe, Promise<Answer | Error>>();
  const start = (probe: Probe) =>
    pending.set(
      probe,
      ready.has(probe)
        ? Promise.resolve(ready.get(probe) as Answer)
        : send(probe.path, probe.init).catch((error: unknown) => new Error(errorText(error))),
    );
  const queue = [...list];
  for (const probe of queue.splice(0, 4)) start(probe);
  const seen: Seen[] = [];
  for (const probe of list) {
    const answer = await pending.get(probe);
    const next = queue.shift();
    if (next) start(next);
    if (answer instanceof Error || answer === undefined) {
      record("FAIL", probe.name, answer?.message ?? "no answer");
      continue;
    }
    seen.push({ probe, answer });
    judge(probe, answer);
  }
  return seen;
}

// ---------------------------------------------------------------- headers across answers

const where = ({ probe, answer }: Seen) => `${probe.name} (${answer.status})`;

async function checkCors(seen: Seen[]): Promise<void> {
  const problems: string[] = [];
  const listed = options.origin;
  const expectOrigin = (answer: Answer, at: string) => {
    const allow = answer.headers.get("Access-Control-Allow-Origin");
    const varies = listOf(answer.headers.get("Vary")).includes("origin");
    if (listed) {
      if (allow !== listed)
        problems.push(`${at}: Access-Control-Allow-Origin is ${allow ?? "missing"}, not ${listed}`);
      if (!varies) problems.push(`${at}: no Vary: Origin although the origin is echoed`);
    } else if (allow !== "*") {
      const hint =
        varies && allow === null
          ? " (it varies on Origin: ALLOWED_ORIGINS seems set; run with --origin <a listed origin>)"
          : "";
      problems.push(`${at}: Access-Control-Allow-Origin is ${allow ?? "missing"}, not *${hint}`);
    }
    if (allow === "*" && answer.headers.has("Access-Control-Allow-Credentials")) {
      problems.push(`${at}: credentials allowed with Access-Control-Allow-Origin: *`);
    }
    if (allow !== null) {
      const exposed = listOf(answer.headers.get("Access-Control-Expose-Headers"));
      const missing = EXPOSED.filter((name) => !exposed.includes(name));
      if (missing.length) problems.push(`${at}: Access-Control-Expose-Headers lacks ${missing.join(", ")}`);
    }
  };
  for (const item of seen) {
    if (!item.probe.session) {
      expectOrigin(item.answer, where(item));
      continue;
    }
    const allow = item.answer.headers.get("Access-Control-Allow-Origin");
    if (allow === "*")
      problems.push(`${where(item)}: Access-Control-Allow-Origin: * on an endpoint that reads a session`);
    if (
      listed &&
      allow === listed &&
      item.answer.headers.get("Access-Control-Allow-Credentials") !== "true"
    ) {
      problems.push(
        `${where(item)}: the listed origin is echoed without Access-Control-Allow-Credentials: true`,
      );
    }
  }
  try {
    const preflight = await send("/api/posts", {
      method: "OPTIONS",
      headers: { "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match" },
    });
    const at = `OPTIONS /api/posts (${preflight.status})`;
    if (preflight.status !== 204) problems.push(`${at}: a preflight answers 204`);
    else {
      expectOrigin(preflight, at);
      const methods = listOf(preflight.headers.get("Access-Control-Allow-Methods"));
      const headers = listOf(preflight.headers.get("Access-Control-Allow-Headers"));
      if (!["get", "head", "options"].every((m) => methods.includes(m))) {
        problems.push(
          `${at}: Access-Control-Allow-Methods is ${preflight.headers.get("Access-Control-Allow-Methods")}`,
        );
      }
      if (!["authorization", "content-type", "if-none-match"].every((h) => headers.includes(h))) {
        problems.push(
          `${at}: Access-Control-Allow-Headers is ${preflight.headers.get("Access-Control-Allow-Headers")}`,
        );
      }
      if (preflight.headers.get("Access-Control-Max-Age") !== "600")
        problems.push(`${at}: Access-Control-Max-Age is not 600`);
    }
  } catch (error) {
    problems.push(`OPTIONS /api/posts: ${errorText(error)}`);
  }
  const allowed = listed ? `the listed origin ${listed} echoed` : "any origin (*)";
  verdict(
    "CORS",
    `${seen.length} answers and a preflight allow ${allowed}, expose ETag, Retry-After, X-Content-Stale; /api/auth never *`,
    problems,
    "not as docs/http-contract.md says",
  );
}

function checkCacheHeaders(seen: Seen[], behindCdn: boolean): void {
  const problems: string[] = [];
  let reads = 0;
  let others = 0;
  let directive = "";
  let hidden = false;
  for (const item of seen) {
    const { probe, answer } = item;
    const at = where(item);
    const header = (name: string) => answer.headers.get(name);
    if (!(probe.tags && answer.status === 200)) {
      others++;
      if (header("Cache-Control") !== PRIVATE_CACHE_CONTROL) {
        problems.push(
          `${at}: Cache-Control is ${header("Cache-Control") ?? "missing"}, not ${PRIVATE_CACHE_CONTROL}`,
        );
      }
      if (header("Netlify-CDN-Cache-Control"))
        problems.push(`${at}: a CDN directive on an answer that must not be cached`);
      continue;
    }
    reads++;
    if (header("Cache-Control") !== PUBLIC_CACHE_CONTROL) {
      problems.push(
        `${at}: Cache-Control is ${header("Cache-Control") ?? "missing"}, not ${PUBLIC_CACHE_CONTROL}`,
      );
    }
    const etag = header("ETag");
    if (!(behindCdn ? /^(W\/)?"[^"]+"$/ : /^"[^"]+"$/).test(etag ?? ""))
      problems.push(`${at}: no strong ETag (${etag ?? "missing"})`);
    const absent = (name: string) => {
      if (behindCdn) hidden = true;
      else problems.push(`${at}: no ${name}`);
    };
    const cdn = header("Netlify-CDN-Cache-Control");
    const match = cdn ? CDN_DIRECTIVE.exec(cdn) : null;
    if (cdn === null) absent("Netlify-CDN-Cache-Control");
    else if (!match) problems.push(`${at}: Netlify-CDN-Cache-Control is ${cdn}`);
    else {
      directive ||= cdn;
      if (header("X-Content-Stale") && Number(match[1]) > 60) {
        problems.push(`${at}: a last-known-good copy kept at the CDN for ${match[1]} s (at most 60)`);
      }
    }
    const tags = header("Netlify-Cache-Tag");
    if (tags === null) absent("Netlify-Cache-Tag");
    else {
      const missing = (probe.tags ?? []).filter((tag) => !listOf(tags).includes(tag.toLowerCase()));
      if (missing.length) problems.push(`${at}: Netlify-Cache-Tag ${tags} lacks ${missing.join(", ")}`);
    }
    const [path, method] = probe.operation ?? ["", ""];
    const documented = queryParameters(document, path, method);
    const vary = header("Netlify-Vary");
    if (!documented.length) continue;
    if (vary === null) {
      absent("Netlify-Vary");
      continue;
    }
    const parts = listOf(vary);
    const query = (parts.find((part) => part.startsWith("query=")) ?? "query=")
      .slice(6)
      .split("|")
      .filter(Boolean);
    const same =
      query.length === documented.length && documented.every((name) => query.includes(name.toLowerCase()));
    if (!same) problems.push(`${at}: Netlify-Vary is ${vary}, not query=${documented.join("|")}`);
    if (options.origin && !parts.includes("header=origin"))
      problems.push(`${at}: Netlify-Vary lacks header=Origin`);
  }
  const cdnText = directive ? `, CDN ${directive}, tags and vary as documented` : "";
  const hiddenText = hidden
    ? "; Netlify-CDN-Cache-Control, Netlify-Cache-Tag and Netlify-Vary are not visible behind the CDN, as expected"
    : "";
  verdict(
    "cache headers",
    `${reads} public reads ${PUBLIC_CACHE_CONTROL}${cdnText}; ${others} others ${PRIVATE_CACHE_CONTROL}${hiddenText}`,
    problems,
    "not as docs/http-contract.md says",
  );
}

async function checkEtag(list: Answer | undefined): Promise<void> {
  const etag = list?.headers.get("ETag");
  if (!etag) {
    record("FAIL", "ETag and 304", "GET /api/posts gave no ETag to revalidate with");
    return;
  }
  try {
    const again = await send("/api/posts", { headers: { "If-None-Match": etag } });
    const problems: string[] = [];
    if (again.status !== 304)
      problems.push(`If-None-Match with its ETag answered ${statusText(again)}, not 304`);
    else if (again.text !== "") problems.push("the 304 has a body");
    verdict("ETag and 304", "GET /api/posts with If-None-Match answers 304 with no body", problems, "");
  } catch (error) {
    record("FAIL", "ETag and 304", errorText(error));
  }
}

function checkStale(seen: Seen[]): void {
  const stale = seen.filter(({ answer }) => answer.headers.has("X-Content-Stale"));
  verdict(
    "fresh content",
    "no answer is a last-known-good copy (X-Content-Stale)",
    stale.map(
      (item) => `${where(item)}: the last-known-good copy of ${item.answer.headers.get("X-Content-Stale")}`,
    ),
    "ButterCMS is failing: answers come from last-known-good copies (see the function log)",
  );
}

// ---------------------------------------------------------------- the CDN

const NOT_BEHIND = "not behind Netlify's CDN (no Cache-Status header)";

/** Asks for `path` until the CDN answers it from its cache, or `tries` times. */
async function untilHit(path: string, tries: number, pauseMs: number) {
  let last: string | null = null;
  for (let i = 1; i <= tries; i++) {
    const answer = await send(path);
    last = answer.headers.get("Cache-Status");
    if (cacheHit(last)) return { hit: true, tries: i, status: last };
    if (i < tries) await sleep(pauseMs);
  }
  return { hit: false, tries, status: last };
}

async function checkCdn(behindCdn: boolean): Promise<void> {
  if (!behindCdn) {
    record("note", "CDN", `${NOT_BEHIND}: caching not checked`);
    return;
  }
  try {
    const result = await untilHit("/api/posts", 6, 1000);
    if (result.hit) {
      record(
        "ok",
        "CDN",
        `GET /api/posts came from the cache on request ${result.tries}: Cache-Status: ${result.status}`,
      );
    } else {
      record("FAIL", "CDN", `GET /api/posts never came from the cache in ${result.tries} requests`, [
        `last Cache-Status: ${result.status ?? "missing"}`,
      ]);
    }
  } catch (error) {
    record("FAIL", "CDN", errorText(error));
  }
}

// ---------------------------------------------------------------- the publish round trip

async function publishRoundTrip(slug: string, behindCdn: boolean): Promise<void> {
  const name = "publish round trip";
  const page = `/api/posts/${slug}`;
  if (behindCdn) {
    const warm = await untilHit(page, 6, 1000);
    if (!warm.hit) {
      record(
        "FAIL",
        name,
        `GET ${page} never came from the CDN before the publish, so a miss after it proves nothing`,
        [`last Cache-Status: ${warm.status ?? "missing"}`],
      );
      return;
    }
  }
  const started = Date.now();
  const hook = await send("/api/webhooks/buttercms", {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Webhook-Secret": secret },
    body: JSON.stringify({
      data: { id: slug, locale: null },
      webhook: { event: "post.published", target: `${options.base}/api/webhooks/buttercms` },
    }),
  });
  const took = Date.now() - started;
  const problems: string[] = [];
  const body = (hook.json ?? {}) as { purged?: unknown; pending?: unknown; ignored?: unknown };
  if (hook.status === 401) {
    problems.push("the deploy refused X-Webhook-Secret: this WEBHOOK_SECRET is not the deploy's");
  } else if (hook.status === 503 && problemCode(hook) === "webhook_not_configured") {
    problems.push("the deploy has no WEBHOOK_SECRET (503 webhook_not_configured)");
  } else if (hook.status !== 200 && hook.status !== 202) {
    problems.push(`expected 200 (or 202 pending), got ${statusText(hook)}`, ...problemDetail(hook));
  } else {
    problems.push(
      ...responseProblems(ajv, document, "/api/webhooks/buttercms", "post", hook).map((p) => `body: ${p}`),
    );
    const tags = (hook.status === 200 ? body.purged : body.pending) as string[] | undefined;
    if (body.ignored) problems.push("the event was ignored, not applied");
    for (const tag of ["posts", `post:${slug}`]) {
      if (!problems.length && !tags?.includes(tag)) problems.push(`${tag} is not among the purged tags`);
    }
  }
  const what = `POST /api/webhooks/buttercms post.published ${slug}`;
  const outcome =
    hook.status === 202
      ? `202, purge pending (${(body.pending as string[] | undefined)?.join(", ")}): the backend retries it`
      : `200, purged ${(body.purged as string[] | undefined)?.join(", ")}`;
  verdict(
    name,
    `${what} → ${outcome} in ${(took / 1000).toFixed(1)} s`,
    problems,
    `${what} → ${statusText(hook)}`,
  );
  if (problems.length) return;

  // What readers get afterwards: the post still answers, and the CDN let go of its copy, then took it again.
  const after = "after the publish";
  const first = await send(page);
  const afterProblems = [
    ...(first.status === 200 ? [] : [`GET ${page} answered ${statusText(first)}, not 200`]),
    ...(first.status === 200
      ? responseProblems(ajv, document, "/api/posts/{slug}", "get", first).map((p) => `body: ${p}`)
      : []),
  ];
  if (afterProblems.length) {
    record("FAIL", after, `GET ${page} is not as documented`, afterProblems);
    return;
  }
  if (!behindCdn) {
    record("note", after, `GET ${page} 200 as documented; ${NOT_BEHIND}: its miss and hit not checked`);
    return;
  }
  // A purge that succeeded is in force at once; a pending one within the backend's retries.
  const deadline = started + took + options.waitMs * (hook.status === 202 ? 3 : 1);
  let status = first.headers.get("Cache-Status");
  while (cacheHit(status) && Date.now() < deadline) {
    await sleep(500);
    status = (await send(page)).headers.get("Cache-Status");
  }
  const missAt = Date.now() - started - took;
  if (cacheHit(status)) {
    record(
      "FAIL",
      after,
      `GET ${page} still came from the CDN ${(missAt / 1000).toFixed(1)} s after the publish`,
      [`Cache-Status: ${status}`],
    );
    return;
  }
  const missStatus = status;
  const hitDeadline = Date.now() + options.waitMs;
  while (!cacheHit(status) && Date.now() < hitDeadline) {
    await sleep(500);
    status = (await send(page)).headers.get("Cache-Status");
  }
  if (!cacheHit(status)) {
    record("FAIL", after, `GET ${page} missed (${missStatus}) but never came from the CDN again`, [
      `last Cache-Status: ${status ?? "missing"}`,
    ]);
    return;
  }
  record(
    "ok",
    after,
    `GET ${page} missed the CDN ${(missAt / 1000).toFixed(1)} s after (${missStatus}), then hit (${status})`,
  );
}

// ---------------------------------------------------------------- main

/** The failed checks' names, the first few. */
function names(failed: Line[]): string {
  const shown = failed.slice(0, 5).map((line) => line.name);
  return failed.length > shown.length ? `${shown.join("; ")}; …` : shown.join("; ");
}

function summary(): number {
  const failed = lines.filter((line) => line.status === "FAIL");
  const count = (status: Status) => lines.filter((line) => line.status === status).length;
  const notes = count("note") ? `, ${count("note")} note${count("note") > 1 ? "s" : ""}` : "";
  console.log("");
  if (failed.length) {
    console.log(
      redact(
        `FAIL  ${failed.length} of ${lines.length} checks failed (${names(failed)}); ${count("ok")} ok${notes}`,
      ),
    );
    return 1;
  }
  console.log(`PASS  ${count("ok")} checks ok${notes}`);
  return 0;
}

async function main(): Promise<number> {
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!message) {
      console.log(USAGE);
      return 0;
    }
    console.error(`${message}\n\n${USAGE}`);
    return 2;
  }
  console.log(`smoke test of ${options.base} against openapi.json ${document.info.version}`);
  console.log("");
  let list: Answer;
  try {
    list = await send("/api/posts");
  } catch (error) {
    record("FAIL", `reach ${options.base}`, errorText(error));
    return summary();
  }
  const posts = (data(list) ?? []) as { slug?: unknown; title?: unknown }[];
  const first = Array.isArray(posts) ? posts.find((post) => typeof post?.slug === "string") : undefined;
  const slug = first?.slug as string | undefined;
  const word =
    String(first?.title ?? "")
      .split(/[^\p{L}\p{N}]+/u)
      .sort((a, b) => b.length - a.length)[0] || "blog";
  const all = probes(slug, word, randomBytes(4).toString("hex"));
  const seen = await runProbes(all, new Map([[all[0] as Probe, list]]));
  if (!slug) record("note", "posts", "no published post: the post, related and publish checks were skipped");

  const behindCdn = seen.some(({ answer }) => /netlify/i.test(answer.headers.get("Cache-Status") ?? ""));
  await checkCors(seen);
  checkCacheHeaders(seen, behindCdn);
  await checkEtag(list);
  checkStale(seen);
  await checkCdn(behindCdn);

  if (!secret) record("note", "publish round trip", "skipped: set WEBHOOK_SECRET to run it");
  else if (slug) {
    try {
      await publishRoundTrip(slug, behindCdn);
    } catch (error) {
      record("FAIL", "publish round trip", errorText(error));
    }
  }
  return summary();
}

process.exitCode = await main();
