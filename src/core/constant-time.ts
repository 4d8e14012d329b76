/** Comparing secrets without leaking where they differ or how long they are. */
import { createHash, timingSafeEqual } from "node:crypto";

/** Hashing both sides first hides the length and makes timingSafeEqual never throw. */
export function secretsMatch(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
