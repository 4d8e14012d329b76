/**
 * Preview sessions: HS256 JWTs signed with SESSION_SECRET (jose), carried in
 * the `__Host-preview_session` cookie or an `Authorization: Bearer` header.
 * Verification pins the algorithm and checks `iss`, `aud`, `exp`, `nbf` and
 * the token's age; every failure is the same `401 unauthorized`.
 */
import type { AuthConfig, Config } from "../core/config.ts";
import { required } from "../core/config.ts";
import { unauthorized } from "../core/errors.ts";
import { readCookie } from "../http/cookies.ts";

export const SESSION_COOKIE = "__Host-preview_session";
export const SESSION_ISSUER = "butter-netlify-backend";
export const SESSION_AUDIENCE = "preview";
/** Seconds of clock skew tolerated between instances. */
const CLOCK_TOLERANCE = 5;

export interface Session {
  expiresAt: Date;
}

/** The session token of a request: the Bearer token if any, else the cookie. */
export function sessionToken(req: Request): string | undefined {
  const authorization = req.headers.get("Authorization");
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (bearer) return bearer[1];
  return readCookie(req.headers.get("Cookie"), SESSION_COOKIE);
}

/** Verifies a token; `null` for any failure (they all look the same to clients). */
export async function verifySession(auth: AuthConfig, token: string): Promise<Session | null> {
  try {
    // Imported on first use: public reads never load jose (cold starts: bench/RESULTS.md).
    const { jwtVerify } = await import("jose/jwt/verify");
    const { payload } = await jwtVerify(token, auth.secret, {
      algorithms: ["HS256"],
      issuer: SESSION_ISSUER,
      audience: SESSION_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE,
      maxTokenAge: auth.ttlSeconds,
      requiredClaims: ["iat", "exp", "nbf"],
    });
    return { expiresAt: new Date((payload.exp as number) * 1000) };
  } catch {
    return null;
  }
}

/** The request's session, or throws 401 (503/500 when sessions are not configured). */
export async function requirePreviewSession(req: Request, config: Config): Promise<Session> {
  const auth = required(config.auth);
  const token = sessionToken(req);
  const session = token ? await verifySession(auth, token) : null;
  if (!session) throw unauthorized();
  return session;
}
