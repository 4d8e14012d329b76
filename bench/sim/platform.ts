/**
 * Netlify Functions as the sim runs them: every function is its own bundle,
 * and every warm instance is its own import of that bundle (a distinct query
 * string), so each instance has its own module state (caches, breakers,
 * indexes), as on Netlify where each function is a deployment unit with many
 * warm instances. Instances share only what Netlify instances share: the
 * network (ButterCMS, Netlify Blobs, the purge API) and the environment.
 *
 * Requests are routed by each function's `config.path`. A request goes to a
 * random idle instance of its function (a random busy one when none is idle:
 * Node instances take concurrent requests here, where a Lambda would start a
 * new one). A new instance's first request waits `coldStartMs`. The context
 * is the v2 one (`ip`, `params`, `requestId`, `deploy`, `site`, `waitUntil`,
 * …); `waitUntil` work runs on in virtual time after the response.
 *
 * Scheduled functions (`config.schedule`: `*\/N * * * *`, `@hourly`,
 * `@daily`, in UTC) run on the virtual clock, only on a published
 * production deploy, as Netlify runs them: a POST whose JSON body is
 * `{"next_run":"<ISO time>"}`, the answer ignored, the same 30 s limit.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { pathToFileURL } from "node:url";
import type { BlobsEmulator } from "./blobs.ts";
import type { ButterService } from "./butter.ts";
import { type OriginResponse, type PurgeApi, type SimRequest, toRequest } from "./cdn.ts";
import type { VirtualClock } from "./clock.ts";

export type Handler = (request: Request, context: unknown) => Promise<Response | undefined>;

export interface FunctionConfig {
  path?: string | string[];
  method?: string | string[];
  schedule?: string;
  excludedPath?: string | string[];
}

interface FunctionModule {
  default: Handler;
  config?: FunctionConfig;
}

/** Counts of what one piece of work cost (a scheduled run, a cold instance's first request). */
export interface Tally {
  butterCalls: number;
  blobsReads: number;
  blobsBytesRead: number;
}

export const newTally = (): Tally => ({ butterCalls: 0, blobsReads: 0, blobsBytesRead: 0 });

/** What caused a piece of work: carried through every await, timer and waitUntil. */
export interface Cause {
  kind: "reader" | "probe" | "webhook" | "scheduled" | "warmup";
  /** Why the CDN went to the function (see cdn.ts FillCause). */
  fill: string;
  /** The function invoked (set by the platform). */
  fn?: string;
  /** Where to count this work's ButterCMS calls and Blobs reads, if anyone asked. */
  tally?: Tally;
}

/** The deploy the functions run in (`context.deploy`): scheduled functions run only on a published production one. */
export interface Deploy {
  context: "production" | "deploy-preview" | "branch-deploy";
  published: boolean;
}

/** One run of a scheduled function. */
export interface ScheduledRun {
  fn: string;
  at: number;
  ms: number;
  status: number;
  /** What the run cost, its background work included (it keeps counting after the answer). */
  tally: Tally;
}

export const causeStorage = new AsyncLocalStorage<Cause>();

export const SITE_URL = "https://blog.example.com";
export const SITE_ID = "sim-site-0000-0000-0000-000000000000";
export const DEPLOY_ID = "sim0000000000000000000001";

export class Instance {
  busy = 0;
  invocations = 0;
  started = false;
  readonly pending = new Set<Promise<unknown>>();
  constructor(
    readonly fn: FunctionPool,
    readonly id: number,
    readonly handler: Handler,
  ) {}
}

export class FunctionPool {
  instances: Instance[] = [];
  private nextId = 0;
  config: FunctionConfig = {};
  private matchers: { regex: RegExp; names: string[] }[] = [];
  private excluded: RegExp[] = [];
  constructor(
    readonly name: string,
    readonly bundlePath: string,
  ) {}

  async spawn(): Promise<Instance> {
    const id = this.nextId++;
    const mod = (await import(`${pathToFileURL(this.bundlePath).href}?instance=${id}`)) as FunctionModule;
    if (typeof mod.default !== "function") throw new Error(`${this.name} has no default export`);
    if (id === 0) {
      this.config = mod.config ?? {};
      const paths = this.config.path === undefined ? [] : [this.config.path].flat();
      this.matchers = paths.map(compilePath);
      const excluded = this.config.excludedPath === undefined ? [] : [this.config.excludedPath].flat();
      this.excluded = excluded.map((path) => compilePath(path).regex);
    }
    const instance = new Instance(this, id, mod.default);
    this.instances.push(instance);
    return instance;
  }

  async scaleTo(count: number): Promise<void> {
    while (this.instances.length < count) await this.spawn();
  }

  /** Replaces every instance by a new (cold) one. */
  async replaceAll(): Promise<void> {
    const count = this.instances.length;
    this.instances = [];
    await this.scaleTo(count);
  }

  match(pathname: string): Record<string, string> | null {
    if (this.excluded.some((regex) => regex.test(pathname))) return null;
    for (const { regex, names } of this.matchers) {
      const found = regex.exec(pathname);
      if (found) return Object.fromEntries(names.map((name, i) => [name, found[i + 1] ?? ""]));
    }
    return null;
  }

  /** Route precedence: static paths (0), then `:param` paths (1), then wildcards (2). */
  get specificity(): number {
    if (this.matchers.some((m) => m.names.includes("0"))) return 2;
    return this.matchers.every((m) => m.names.length === 0) ? 0 : 1;
  }
}

/** `config.path` as Netlify reads it (URLPattern syntax: `:name` segments and a trailing `*`). */
function compilePath(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) {
        names.push(segment.slice(1).replace(/\?$/, ""));
        return "([^/]+)";
      }
      if (segment === "*") {
        names.push("0");
        return "(.*)";
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { regex: new RegExp(`^${source}$`), names };
}

export interface PlatformOptions {
  coldStartMs: number;
  /** Netlify's limit for a synchronous function (ms), scheduled ones included. */
  functionTimeoutMs: number;
  seed: () => number;
  deploy: Deploy;
}

const MINUTE = 60_000;

/**
 * The next run after `afterMs` of a schedule in the forms this project uses
 * (Netlify reads cron in UTC, at most once a minute): `*\/N * * * *` (every
 * N minutes, on minutes divisible by N), `@hourly` (minute 0), `@daily`
 * (00:00 UTC). Anything else throws: the sim would otherwise never run it.
 */
export function nextRun(schedule: string, afterMs: number): number {
  const expr = schedule.trim();
  const everyMinutes = /^\*\/(\d+) \* \* \* \*$/.exec(expr);
  const step =
    expr === "* * * * *"
      ? 1
      : everyMinutes
        ? Number(everyMinutes[1])
        : expr === "@hourly"
          ? 60
          : expr === "@daily"
            ? 1440
            : null;
  if (step === null || !(step >= 1 && step <= 1440)) {
    throw new Error(`schedule "${schedule}": the sim runs only */N * * * *, @hourly and @daily`);
  }
  if (step > 60 && step !== 1440) throw new Error(`schedule "${schedule}": */N with N over 60 is not cron`);
  const minute = Math.floor(afterMs / MINUTE) + 1;
  if (step === 1440) return Math.ceil((minute * MINUTE) / 86_400_000) * 86_400_000;
  // */N matches minutes of the hour divisible by N (so */7 runs at :56 and then :00).
  for (let m = minute; ; m++) if ((m % 60) % step === 0) return m * MINUTE;
}

export interface LogCounts {
  byLevel: Record<string, number>;
  messages: Record<string, number>;
}

export class Platform {
  readonly pools = new Map<string, FunctionPool>();
  private routeOrder: FunctionPool[] = [];
  invocations = 0;
  readonly invocationsByFunction: Record<string, number> = {};
  readonly statusByFunction: Record<string, Record<string, number>> = {};
  timeouts = 0;
  crashes = 0;
  waitUntilErrors = 0;
  private requestSeq = 0;
  /** Routes every request to this pool instead (the naive baseline). */
  override: FunctionPool | null = null;
  readonly logs: LogCounts = { byLevel: {}, messages: {} };
  /** Statuses the functions answered, by what caused the invocation (`reader`, `probe`, …). */
  readonly statusByKind: Record<string, Record<string, number>> = {};
  /** Told of every invocation's answer (scenarios count what they need). */
  readonly answered: ((cause: Cause, url: string, status: number) => void)[] = [];
  readonly scheduledRuns: ScheduledRun[] = [];
  /** Scheduled functions that could not be scheduled, and why. */
  readonly scheduleErrors: Record<string, string> = {};
  private schedulesStarted = false;
  /** The functions whose schedule runs. */
  readonly scheduledNames: string[] = [];

  constructor(
    private readonly clock: VirtualClock,
    readonly options: PlatformOptions,
  ) {}

  async load(name: string, bundlePath: string, instances: number): Promise<FunctionPool> {
    const pool = new FunctionPool(name, bundlePath);
    await pool.scaleTo(instances);
    this.pools.set(name, pool);
    // Static paths before parameterised ones before wildcards, as Netlify orders them.
    this.routeOrder = [...this.pools.values()].sort((a, b) => a.specificity - b.specificity);
    return pool;
  }

  route(pathname: string): { pool: FunctionPool; params: Record<string, string> } | null {
    if (this.override) return { pool: this.override, params: {} };
    for (const pool of this.routeOrder) {
      const params = pool.match(pathname);
      if (params) return { pool, params };
    }
    return null;
  }

  private pick(pool: FunctionPool): Instance {
    const idle = pool.instances.filter((instance) => instance.busy === 0);
    const from = idle.length > 0 ? idle : pool.instances;
    return from[Math.floor(this.options.seed() * from.length)] as Instance;
  }

  /** Invokes the function that owns the request's path, on one of its instances. */
  async invoke(request: SimRequest, cause: Cause, instance?: Instance): Promise<OriginResponse> {
    const url = new URL(request.url);
    const routed = this.route(url.pathname);
    if (!routed)
      return { status: 404, headers: new Headers({ "Content-Type": "text/plain" }), body: "Not Found" };
    const target = instance ?? this.pick(routed.pool);
    const response = await causeStorage.run({ ...cause, fn: routed.pool.name }, () =>
      this.run(target, toRequest(request), routed.params),
    );
    this.answer(cause, request.url, response.status);
    return response;
  }

  private answer(cause: Cause, url: string, status: number): void {
    const byStatus = this.statusByKind[cause.kind] ?? {};
    this.statusByKind[cause.kind] = byStatus;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    for (const listener of this.answered) listener(cause, url, status);
  }

  /**
   * Starts every loaded function's `config.schedule` on the virtual clock, if
   * the deploy is a published production one (Netlify runs scheduled
   * functions nowhere else). Returns the functions scheduled.
   */
  startSchedules(): string[] {
    const deploy = this.options.deploy;
    if (this.schedulesStarted || deploy.context !== "production" || !deploy.published) return [];
    this.schedulesStarted = true;
    const started: string[] = [];
    for (const pool of this.pools.values()) {
      const schedule = pool.config.schedule;
      if (!schedule) continue;
      try {
        nextRun(schedule, this.clock.now);
      } catch (error) {
        this.scheduleErrors[pool.name] = String((error as Error).message);
        continue;
      }
      started.push(pool.name);
      this.scheduledNames.push(pool.name);
      const arm = () => {
        const at = nextRun(schedule, this.clock.now);
        this.clock.setTimeout(() => {
          arm();
          void this.runScheduled(pool, nextRun(schedule, this.clock.now));
        }, at - this.clock.now);
      };
      arm();
    }
    return started;
  }

  /** One scheduled invocation, as Netlify makes it: a POST with `{"next_run": …}`, the answer ignored. */
  private async runScheduled(pool: FunctionPool, next: number): Promise<void> {
    const tally = newTally();
    const at = this.clock.now;
    const request = new Request(`https://sim-site.netlify.app/.netlify/functions/${pool.name}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ next_run: new Date(next).toISOString() }),
    });
    const cause: Cause = { kind: "scheduled", fill: "cron", fn: pool.name, tally };
    const response = await causeStorage.run(cause, () => this.run(this.pick(pool), request, {}));
    this.answer(cause, request.url, response.status);
    this.scheduledRuns.push({
      fn: pool.name,
      at,
      ms: this.clock.now - at,
      status: response.status,
      tally,
    });
  }

  private async run(
    instance: Instance,
    request: Request,
    params: Record<string, string>,
  ): Promise<OriginResponse> {
    const name = instance.fn.name;
    this.invocations++;
    this.invocationsByFunction[name] = (this.invocationsByFunction[name] ?? 0) + 1;
    instance.busy++;
    instance.invocations++;
    try {
      if (!instance.started) {
        instance.started = true;
        await this.clock.sleep(this.options.coldStartMs);
      }
      const context = this.context(instance, request, params);
      const work = contextStore().run({ context }, () => instance.handler(request, context));
      let timer: ReturnType<VirtualClock["setTimeout"]> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = this.clock.setTimeout(() => resolve("timeout"), this.options.functionTimeoutMs);
      });
      let outcome: Response | undefined | "timeout";
      try {
        outcome = await Promise.race([work, timeout]);
      } catch (error) {
        this.crashes++;
        this.logLine("crash", String((error as Error)?.stack ?? error).split("\n")[0] ?? "");
        return this.record(name, { status: 500, headers: new Headers(), body: "Internal Server Error" });
      } finally {
        this.clock.clear(timer);
      }
      if (outcome === "timeout") {
        this.timeouts++;
        return this.record(name, { status: 504, headers: new Headers(), body: "Function timed out" });
      }
      if (!outcome) return this.record(name, { status: 204, headers: new Headers(), body: "" });
      const body = await outcome.text();
      return this.record(name, { status: outcome.status, headers: outcome.headers, body });
    } finally {
      instance.busy--;
    }
  }

  private record(name: string, response: OriginResponse): OriginResponse {
    const byStatus = this.statusByFunction[name] ?? {};
    this.statusByFunction[name] = byStatus;
    byStatus[response.status] = (byStatus[response.status] ?? 0) + 1;
    return response;
  }

  private context(instance: Instance, request: Request, params: Record<string, string>) {
    const requestId = `01SIM${String(++this.requestSeq).padStart(12, "0")}`;
    const cookies = new Map<string, string>();
    for (const part of (request.headers.get("cookie") ?? "").split(";")) {
      const [name, ...rest] = part.trim().split("=");
      if (name) cookies.set(name, rest.join("="));
    }
    return {
      account: { id: "sim-account" },
      cookies: {
        get: (name: string) => cookies.get(name),
        set: () => {},
        delete: () => {},
      },
      deploy: { ...this.options.deploy, id: DEPLOY_ID },
      geo: { city: "Frankfurt", country: { code: "DE", name: "Germany" }, timezone: "Europe/Berlin" },
      ip: `198.51.100.${(this.requestSeq % 250) + 1}`,
      json: (value: unknown, init?: ResponseInit) => Response.json(value, init),
      log: (...args: unknown[]) => console.log(...args),
      params,
      requestId,
      server: { region: "us-east-2" },
      site: { id: SITE_ID, name: "sim-blog", url: SITE_URL },
      url: new URL(request.url),
      waitUntil: (promise: Promise<unknown>) => {
        const tracked = Promise.resolve(promise).catch((error) => {
          this.waitUntilErrors++;
          this.logLine("waitUntil", String((error as Error)?.message ?? error));
        });
        instance.pending.add(tracked);
        tracked.finally(() => instance.pending.delete(tracked));
      },
    };
  }

  /** Counts a log line by level and message (the functions log JSON lines). */
  logLine(level: string, text: string): void {
    this.logs.byLevel[level] = (this.logs.byLevel[level] ?? 0) + 1;
    let message = text;
    try {
      const parsed = JSON.parse(text) as { message?: string };
      if (parsed.message) message = parsed.message;
    } catch {}
    const key = `${level}: ${message.slice(0, 160)}`;
    if (this.logs.messages[key] !== undefined || Object.keys(this.logs.messages).length < 60) {
      this.logs.messages[key] = (this.logs.messages[key] ?? 0) + 1;
    }
  }

  /** Keeps the functions' console output out of the terminal, counted instead. */
  captureConsole(): void {
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      console[level] = (...args: unknown[]) => this.logLine(level, args.map(String).join(" "));
    }
  }
}

const STORE_KEY = Symbol.for("@netlify/functions/request-context-store");

/** The AsyncLocalStorage @netlify/functions' getContext() reads, as Netlify's runtime fills it. */
function contextStore(): AsyncLocalStorage<{ context: unknown }> {
  const g = globalThis as unknown as Record<symbol, unknown>;
  if (!(g[STORE_KEY] instanceof AsyncLocalStorage)) g[STORE_KEY] = new AsyncLocalStorage();
  return g[STORE_KEY] as AsyncLocalStorage<{ context: unknown }>;
}

/** The `Netlify` global of the runtime: `Netlify.env` over process.env, `Netlify.context` per request. */
export function installNetlifyGlobal(): void {
  const env = {
    get: (name: string) => process.env[name],
    set: (name: string, value: string) => {
      process.env[name] = value;
    },
    delete: (name: string) => {
      delete process.env[name];
    },
    has: (name: string) => process.env[name] !== undefined,
    toObject: () => ({ ...process.env }),
  };
  Object.defineProperty(globalThis, "Netlify", {
    value: {
      env,
      get context() {
        return contextStore().getStore()?.context ?? null;
      },
    },
    configurable: true,
  });
}

/** The only network there is: ButterCMS, Netlify Blobs and the purge API. */
export function installNetwork(parts: {
  butter: ButterService;
  blobs: BlobsEmulator;
  purge: PurgeApi;
}): void {
  parts.butter.causeOf = () => {
    const cause = causeStorage.getStore();
    return cause ? `${cause.kind}:${cause.fill}` : "none";
  };
  parts.butter.functionOf = () => causeStorage.getStore()?.fn ?? "none";
  parts.butter.onCall = () => {
    const tally = causeStorage.getStore()?.tally;
    if (tally) tally.butterCalls++;
  };
  parts.blobs.causeOf = () => {
    const cause = causeStorage.getStore();
    return cause ? `${cause.kind} ${cause.fn ?? "-"}` : "none";
  };
  parts.blobs.onRead = (bytes) => {
    const tally = causeStorage.getStore()?.tally;
    if (tally) {
      tally.blobsReads++;
      tally.blobsBytesRead += bytes;
    }
  };
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const url = new URL(request.url);
    if (parts.butter.owns(url)) return parts.butter.handle(request);
    if (parts.blobs.owns(url)) return parts.blobs.handle(request);
    if (parts.purge.owns(url)) return parts.purge.handle(request);
    throw new TypeError(`fetch failed: the sim has no network for ${url.origin}`);
  };
}
