/** Readers: page views arriving as a Poisson process, each one or more API requests at the CDN. */
import type { CdnResponse } from "./cdn.ts";
import { poissonGapMs } from "./random.ts";
import type { Universe } from "./traffic.ts";
import type { World } from "./world.ts";

export class Readers {
  pageViews = 0;
  requests = 0;
  readonly statuses: Record<string, number> = {};
  readonly cache: Record<string, number> = {};
  inFlight = 0;
  private running = false;
  private timer: ReturnType<World["clock"]["setTimeout"]> | undefined;
  /** Called with every answer (for scenario-specific accounting). */
  onAnswer: ((url: string, response: CdnResponse) => void) | null = null;
  /** Views whose URLs are not in this set are skipped (outage drill: only content served before). */
  filter: ((url: string) => boolean) | null = null;

  constructor(
    private readonly world: World,
    private readonly universe: Universe,
    /** Page views per second. */
    public rate: number,
    private readonly random: () => number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.world.clock.clear(this.timer);
  }

  private schedule(): void {
    this.timer = this.world.clock.setTimeout(
      () => {
        if (!this.running) return;
        this.view();
        this.schedule();
      },
      poissonGapMs(this.random, this.rate),
    );
  }

  private view(): void {
    const urls = this.universe.view().filter((url) => this.filter?.(url) ?? true);
    if (urls.length === 0) return;
    this.pageViews++;
    for (const url of urls) {
      this.requests++;
      this.inFlight++;
      this.world
        .request(url, "reader")
        .then((response) => {
          this.statuses[response.status] = (this.statuses[response.status] ?? 0) + 1;
          this.cache[response.cache] = (this.cache[response.cache] ?? 0) + 1;
          this.onAnswer?.(url, response);
        })
        .catch((error) => {
          this.statuses.thrown = (this.statuses.thrown ?? 0) + 1;
          this.world.platform.logLine("reader-error", String((error as Error)?.message ?? error));
        })
        .finally(() => {
          this.inFlight--;
        });
    }
  }
}
