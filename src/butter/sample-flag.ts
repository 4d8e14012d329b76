/**
 * How the sample blog announces itself. The emulation (sample/, loaded only
 * by `npm start` and the tests, never bundled) sets this flag when it starts
 * intercepting ButterCMS; production code only reads it, so no sample code is
 * reachable from a function's imports.
 */
const FLAG = Symbol.for("butter-netlify-backend.sample-blog");

/** The token the SDK sends in sample mode; the emulation accepts only it. */
export const SAMPLE_TOKEN = "sample-blog-token";

type Flagged = typeof globalThis & { [FLAG]?: boolean };

export const isSampleBlogLoaded = (): boolean => (globalThis as Flagged)[FLAG] === true;

export function markSampleBlogLoaded(loaded: boolean): void {
  (globalThis as Flagged)[FLAG] = loaded;
}
