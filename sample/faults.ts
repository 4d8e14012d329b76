/**
 * Faults the emulation can answer with instead of content, so that tests and
 * `npm start` can make ButterCMS fail on purpose (docs/buttercms.md,
 * "Faults"). The preload reads the current one on every request from
 * SAMPLE_FAULT_FILE (a file whose content names it) or SAMPLE_FAULT, so an
 * integration test can switch ButterCMS to failing while `netlify dev` runs.
 */
import { readFileSync } from "node:fs";

/**
 * - `down`: a network error (the connection fails, fetch rejects);
 * - `500`: ButterCMS fails with a JSON error body;
 * - `503`: a gateway answers 503 with an HTML page;
 * - `quota`: the monthly API-call quota is used up (429 with `Retry-After`);
 * - `timeout`: no answer until the caller gives up (its signal aborts).
 */
export const SAMPLE_FAULTS = ["down", "500", "503", "quota", "timeout"] as const;
export type SampleFault = (typeof SAMPLE_FAULTS)[number];

export const isSampleFault = (value: string): value is SampleFault =>
  (SAMPLE_FAULTS as readonly string[]).includes(value);

/** A fault named by text (a file's content, an environment variable); blank is none. */
export function parseFault(text: string | undefined): SampleFault | undefined {
  const name = (text ?? "").trim();
  if (name === "" || name === "none") return undefined;
  if (isSampleFault(name)) return name;
  throw new Error(`Unknown sample fault "${name}" (known: ${SAMPLE_FAULTS.join(", ")}, or empty for none)`);
}

/** Seconds from `now` until ButterCMS's monthly reset: the first day of next month, 00:00 UTC. */
export function secondsUntilMonthlyReset(now: number): number {
  const date = new Date(now);
  const reset = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return Math.ceil((reset - now) / 1000);
}

/**
 * The current fault as the preload sees it. With `SAMPLE_FAULT_FILE` set, the
 * file decides, read again on every call (missing or empty: no fault);
 * otherwise `SAMPLE_FAULT`, fixed for the process. An unknown name throws, so
 * a typo never passes silently.
 */
export function faultFromEnvironment(env: NodeJS.ProcessEnv): () => SampleFault | undefined {
  const file = env.SAMPLE_FAULT_FILE;
  if (!file) {
    const fixed = parseFault(env.SAMPLE_FAULT);
    return () => fixed;
  }
  return () => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
    return parseFault(text);
  };
}
