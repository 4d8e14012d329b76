/**
 * Opening a preview session: signing the JWT, with a random `jti` that
 * logging out revokes. Only the auth function imports this (and jose's
 * signer); the password check is in auth-handlers.ts.
 */
import type { AuthConfig } from "../core/config.ts";
import { SESSION_AUDIENCE, SESSION_ISSUER, type Session } from "./session.ts";

export async function issueSession(auth: AuthConfig, now = new Date()): Promise<{ token: string } & Session> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + auth.ttlSeconds;
  const { SignJWT } = await import("jose/jwt/sign");
  const id = crypto.randomUUID();
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(SESSION_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setSubject("preview")
    .setJti(id)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(auth.secret);
  return { token, id, expiresAt: new Date(expiresAt * 1000) };
}
