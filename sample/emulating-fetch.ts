/**
 * A `fetch` that answers ButterCMS's URLs from the emulation and passes every
 * other request on: what the preload installs under `npm start`. It behaves
 * like fetch where the emulation fails on purpose: a network error rejects
 * with `TypeError: fetch failed`, and a request that hangs rejects with its
 * signal's reason when the caller gives up (a `TimeoutError` for
 * `AbortSignal.timeout`), as undici does.
 */
import { type EmulatorOptions, emulateButter } from "./butter-emulator.ts";

export function emulatingFetch(passThrough: typeof fetch, options: EmulatorOptions): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const aborted = new Promise<never>((_resolve, reject) => {
      if (request.signal.aborted) reject(request.signal.reason);
      request.signal.addEventListener("abort", () => reject(request.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    const answer = await Promise.race([emulateButter(request, options), aborted]);
    // The request, not (input, init): building it may have taken a streamed body from init.
    if (!answer) return passThrough(request);
    if (answer.type === "error") throw new TypeError("fetch failed");
    // The SDK reads response.url (and parses it on errors): give it the request's.
    Object.defineProperty(answer, "url", { value: request.url });
    return answer;
  };
}
