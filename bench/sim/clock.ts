/**
 * A virtual clock for the whole process: `Date`, `Date.now`, `performance.now`,
 * `setTimeout`/`setInterval` (global and `node:timers`, `node:timers/promises`)
 * and `AbortSignal.timeout` all follow it. Nothing waits in real time: the
 * scheduler runs every timer in order of its virtual due time, and between two
 * timers lets the real event loop drain (microtasks and one macrotask turn),
 * so every promise chain a timer started has settled before time moves on.
 *
 * Limits (said in bench/SIM.md): CPU time is free (a function that computes
 * for 50 ms of real time takes 0 ms of virtual time), and work finishing on
 * Node's thread pool (crypto.subtle, fs, zlib) is not waited for by the
 * scheduler; the functions under test use neither on their request paths.
 */
import { AsyncResource } from "node:async_hooks";
import { createRequire, syncBuiltinESMExports } from "node:module";

const require = createRequire(import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: timer callbacks take any arguments, as Node's do
type Callback = (...args: any[]) => void;

const realSetImmediate = globalThis.setImmediate;
const RealDate = Date;

export class VirtualTimer {
  cancelled = false;
  private refed = true;
  constructor(
    readonly clock: VirtualClock,
    readonly id: number,
    public at: number,
    public seq: number,
    readonly callback: Callback,
    readonly args: unknown[],
    readonly interval: number | undefined,
    /** The async context of the caller (AsyncLocalStorage stores), as Node's own timers keep it. */
    readonly scope: AsyncResource,
  ) {}
  ref(): this {
    this.refed = true;
    return this;
  }
  unref(): this {
    this.refed = false;
    return this;
  }
  hasRef(): boolean {
    return this.refed;
  }
  refresh(): this {
    this.clock.reschedule(this, this.interval ?? this.at - this.clock.now);
    return this;
  }
  close(): this {
    this.clock.clear(this);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/** A binary min-heap of timers by (at, seq). */
class TimerHeap {
  private items: VirtualTimer[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): VirtualTimer | undefined {
    return this.items[0];
  }
  private less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  push(timer: VirtualTimer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): VirtualTimer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.less(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && this.less(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

export class VirtualClock {
  now: number;
  private readonly origin: number;
  private readonly heap = new TimerHeap();
  private readonly byId = new Map<number, VirtualTimer>();
  private nextId = 1;
  private seq = 0;
  /** Timers fired so far (for the report). */
  fired = 0;

  constructor(startMs: number) {
    this.now = startMs;
    this.origin = startMs;
  }

  setTimeout = (callback: Callback, ms?: number, ...args: unknown[]): VirtualTimer =>
    this.add(callback, ms, args, undefined);

  setInterval = (callback: Callback, ms?: number, ...args: unknown[]): VirtualTimer =>
    this.add(callback, ms, args, Math.max(1, Number(ms) || 0));

  clear = (timer: unknown): void => {
    const found =
      timer instanceof VirtualTimer ? timer : typeof timer === "number" ? this.byId.get(timer) : undefined;
    if (found) {
      found.cancelled = true;
      this.byId.delete(found.id);
    }
  };

  /** Resolves after `ms` of virtual time; rejects with the signal's reason if it aborts first. */
  sleep = (ms: number | undefined, signal?: AbortSignal | null): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = this.setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => {
        this.clear(timer);
        reject(signal.reason);
      });
    });

  private add(callback: Callback, ms: unknown, args: unknown[], interval: number | undefined): VirtualTimer {
    if (typeof callback !== "function") throw new TypeError("The callback must be a function");
    const delay = Math.max(0, Number(ms) || 0);
    const scope = new AsyncResource("VirtualTimer");
    const timer = new VirtualTimer(
      this,
      this.nextId++,
      this.now + delay,
      this.seq++,
      callback,
      args,
      interval,
      scope,
    );
    this.byId.set(timer.id, timer);
    this.heap.push(timer);
    return timer;
  }

  reschedule(timer: VirtualTimer, delay: number): void {
    timer.cancelled = true;
    const copy = new VirtualTimer(
      this,
      timer.id,
      this.now + Math.max(0, delay),
      this.seq++,
      timer.callback,
      timer.args,
      timer.interval,
      timer.scope,
    );
    this.byId.set(copy.id, copy);
    this.heap.push(copy);
  }

  /** Lets every promise chain started so far settle (microtasks and real macrotask turns). */
  async settle(turns = 1): Promise<void> {
    for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => realSetImmediate(resolve));
  }

  /** Runs every timer due up to `target` (virtual epoch ms), in order, then sets the clock to `target`. */
  async runUntil(target: number): Promise<void> {
    await this.settle(2);
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.at > target) break;
      this.heap.pop();
      if (next.cancelled) continue;
      if (next.at > this.now) {
        // Time is about to move: give real pending work a second turn first.
        await this.settle(1);
        this.now = next.at;
      }
      if (next.interval !== undefined) {
        next.at = this.now + next.interval;
        next.seq = this.seq++;
        this.heap.push(next);
      } else {
        this.byId.delete(next.id);
      }
      this.fired++;
      try {
        next.scope.runInAsyncScope(next.callback, null, ...next.args);
      } catch (error) {
        process.emitWarning(`A virtual timer threw: ${(error as Error)?.stack ?? error}`);
      }
      await this.settle(1);
    }
    this.now = Math.max(this.now, target);
    await this.settle(2);
  }

  /** Awaits `work`, running the clock (in `stepMs` steps) until it settles. */
  async drive<T>(work: Promise<T>, stepMs = 10): Promise<T> {
    let settled = false;
    const tracked = work.finally(() => {
      settled = true;
    });
    tracked.catch(() => {});
    await this.settle(2);
    while (!settled) await this.advance(stepMs);
    return tracked;
  }

  /** Runs for `ms` of virtual time. */
  advance(ms: number): Promise<void> {
    return this.runUntil(this.now + ms);
  }

  get pendingTimers(): number {
    return this.heap.size;
  }

  /** Replaces the process's clocks and timers with this clock. Call before importing anything under test. */
  install(): void {
    const clock = this;
    const VirtualDate = function (this: unknown, ...args: unknown[]) {
      if (!new.target) return new RealDate(clock.now).toString();
      return args.length === 0
        ? new RealDate(clock.now)
        : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
    } as unknown as DateConstructor;
    Object.setPrototypeOf(VirtualDate, RealDate);
    Object.defineProperty(VirtualDate, "prototype", { value: RealDate.prototype });
    Object.defineProperty(VirtualDate, "now", { value: () => clock.now, writable: true, configurable: true });
    globalThis.Date = VirtualDate;

    Object.defineProperty(performance, "now", {
      value: () => clock.now - clock.origin,
      writable: true,
      configurable: true,
    });
    Object.defineProperty(performance, "timeOrigin", { value: clock.origin, configurable: true });

    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = this.setTimeout;
    g.setInterval = this.setInterval;
    g.clearTimeout = this.clear;
    g.clearInterval = this.clear;

    AbortSignal.timeout = (ms: number): AbortSignal => {
      const controller = new AbortController();
      clock
        .setTimeout(() => {
          controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
        }, ms)
        .unref();
      return controller.signal;
    };

    const timers = require("node:timers") as Record<string, unknown>;
    timers.setTimeout = this.setTimeout;
    timers.setInterval = this.setInterval;
    timers.clearTimeout = this.clear;
    timers.clearInterval = this.clear;
    const promises = require("node:timers/promises") as Record<string, unknown>;
    promises.setTimeout = async (ms?: number, value?: unknown, options?: { signal?: AbortSignal }) => {
      await clock.sleep(ms, options?.signal);
      return value;
    };
    syncBuiltinESMExports();
  }
}

/** Real wall-clock milliseconds, for reporting how long the sim itself took. */
export const realNow = (): number => RealDate.now();
