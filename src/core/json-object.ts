/** The one check for "a plain JSON object" (not null, not an array), for bodies from ButterCMS and from clients. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
