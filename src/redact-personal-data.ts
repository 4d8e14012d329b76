/**
 * Removes personal data that ButterCMS returns but readers must not see
 * (OWASP API3, excessive data exposure): every `email` member, at any depth,
 * which covers `author.email` wherever an author is embedded. Post bodies are
 * strings, so their text is untouched.
 */
export function withoutEmails<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutEmails) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (key !== "email") out[key] = withoutEmails(member);
    }
    return out as T;
  }
  return value;
}
