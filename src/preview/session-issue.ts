/**
 * Opening a preview session: the constant-time password check and signing
 * the JWT. Only the auth function imports this (and jose's signer).
 */
import type { AuthConfig } from "../core/config.ts";
import { SESSION_AUDIENCE, SESSION_ISSUER, type Session } from "./session.ts";

export async function issueSession(auth: AuthConfig, now = new Date()): Promise<{ token: string } & Session> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + auth.ttlSeconds;
  const { SignJWT } = await import("jose/jwt/sign");
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(SESSION_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setSubject("preview")
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(auth.secret);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}
