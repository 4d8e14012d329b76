/**
 * ButterCMS as the functions see it in the sim: the project's emulation
 * (sample/butter-emulator.ts over the sample data, changed in place by the
 * scenarios) behind a network latency per call (`latencyMs`, a scenario
 * parameter), with outages on demand, and a count of every call, attributed
 * to what caused it (see platform.ts).
 */
import type * as Entry from "./butter-entry.ts";
import type { VirtualClock } from "./clock.ts";
import { rng } from "./random.ts";

export type ButterModule = typeof Entry;

export type OutageMode = "refused" | "503" | "hang" | "mixed";

export interface ButterOptions {
  token: string;
  /** Time per call, answered or failed with a 503 (ms). */
  latencyMs: number;
  seed: number;
  /** How the emulation's search matches words (sample/butter-emulator.ts `SearchMode`). */
  search: "substring" | "stemming";
}

interface Memo {
  version: number;
  status: number;
  headers: [string, string][];
  body: string;
}

export class ButterService {
  calls = 0;
  readonly callsByCause: Record<string, number> = {};
  readonly failuresByMode: Record<string, number> = {};
  private outage: { mode: OutageMode } | null = null;
  private readonly memo = new Map<string, Memo>();
  private readonly random: () => number;
  /** Who is calling: set by the platform from the async context of the call. */
  causeOf: () => string = () => "unknown";
  functionOf: () => string = () => "unknown";
  /** Told of every call (the platform counts it for the work that made it). */
  onCall: () => void = () => {};
  /** Calls by cause and calling function, for the diagnostics. */
  readonly callsByCauseAndFunction: Record<string, number> = {};

  constructor(
    private readonly clock: VirtualClock,
    readonly module: ButterModule,
    readonly options: ButterOptions,
  ) {
    this.random = rng(options.seed);
  }

  owns(url: URL): boolean {
    return url.origin === new URL(this.module.BUTTER_API).origin;
  }

  startOutage(mode: OutageMode): void {
    this.outage = { mode };
  }

  endOutage(): void {
    this.outage = null;
  }

  get isDown(): boolean {
    return this.outage !== null;
  }

  /** What the emulation answers for `url` now, uncounted and without latency (ground truth). */
  async truth(pathAndQuery: string): Promise<{ status: number; body: string }> {
    const url = new URL(`${this.module.BUTTER_API}${pathAndQuery}`);
    url.searchParams.set("auth_token", this.options.token);
    const answer = await this.answer(new Request(url));
    return { status: answer.status, body: await answer.text() };
  }

  /** The emulation's answer, memoised per URL until the data changes (the emulation is deterministic). */
  private async answer(request: Request): Promise<Response> {
    const version = this.module.dataVersion();
    const cached = this.memo.get(request.url);
    if (cached && cached.version === version) {
      return new Response(cached.body, { status: cached.status, headers: cached.headers });
    }
    const response =
      (await this.module.emulateButter(request, {
        token: this.options.token,
        search: this.options.search,
      })) ?? Response.json({ detail: "Not found." }, { status: 404 });
    const body = await response.text();
    const headers = [...response.headers.entries()];
    this.memo.set(request.url, { version, status: response.status, headers, body });
    return new Response(body, { status: response.status, headers });
  }

  async handle(request: Request): Promise<Response> {
    this.calls++;
    this.onCall();
    const cause = this.causeOf();
    this.callsByCause[cause] = (this.callsByCause[cause] ?? 0) + 1;
    const detailed = `${cause} ${this.functionOf()}`;
    this.callsByCauseAndFunction[detailed] = (this.callsByCauseAndFunction[detailed] ?? 0) + 1;
    const outage = this.outage;
    if (outage) {
      const modes: OutageMode[] = ["refused", "503", "hang"];
      const mode =
        outage.mode === "mixed" ? (modes[Math.floor(this.random() * 3)] as OutageMode) : outage.mode;
      this.failuresByMode[mode] = (this.failuresByMode[mode] ?? 0) + 1;
      if (mode === "refused") {
        await this.clock.sleep(5, request.signal);
        throw new TypeError("fetch failed", {
          cause: new Error("connect ECONNREFUSED api.buttercms.com:443"),
        });
      }
      if (mode === "503") {
        await this.clock.sleep(this.options.latencyMs, request.signal);
        return withUrl(
          new Response("<html><body><h1>503 Service Unavailable</h1></body></html>", {
            status: 503,
            headers: { "Content-Type": "text/html" },
          }),
          request.url,
        );
      }
      // Hangs until the caller gives up (or 120 s, as a proxy would).
      await this.clock.sleep(120_000, request.signal);
      return withUrl(new Response("Gateway Timeout", { status: 504 }), request.url);
    }
    await this.clock.sleep(this.options.latencyMs, request.signal);
    return withUrl(await this.answer(request), request.url);
  }
}

/** The SDK reads `response.url` (and parses it on errors): give it the request's. */
function withUrl(response: Response, url: string): Response {
  Object.defineProperty(response, "url", { value: url });
  return response;
}
