/** Reading one cookie from a `Cookie` header (RFC 6265 §5.4), and the session cookie's attributes. */

/** The value of cookie `name`, or undefined. Malformed pairs are skipped, never thrown on. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

/**
 * `__Host-` pins the cookie to this host, `Path=/` and `Secure` (no `Domain`
 * allowed); `SameSite=Strict` keeps it off cross-site requests.
 */
export function sessionCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`;
}
