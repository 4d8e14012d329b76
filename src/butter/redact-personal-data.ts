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

const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/**
 * Removes email addresses from text that is not JSON (feeds: RSS's
 * `<author>` element is an email address by definition). Blunt on purpose:
 * an address in a summary goes too, which errs on the side of readers.
 */
export const withoutEmailAddresses = (text: string): string => text.replace(EMAIL_ADDRESS, "");
