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
import { isRevoked } from "./revocation.ts";

export const SESSION_COOKIE = "__Host-preview_session";
export const SESSION_ISSUER = "butter-netlify-backend";
export const SESSION_AUDIENCE = "preview";
/** Seconds of clock skew tolerated between instances. */
const CLOCK_TOLERANCE = 5;

export interface Session {
  /** The session's id (`jti`): what logging out revokes. */
  id: string;
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
      requiredClaims: ["iat", "exp", "nbf", "jti"],
    });
    return { id: payload.jti as string, expiresAt: new Date((payload.exp as number) * 1000) };
  } catch {
    return null;
  }
}

/**
 * The request's live session: signed, unexpired and not logged out on any
 * instance. `null` when there is none; throws 503 when the list of ended
 * sessions cannot be read (previews fail closed).
 */
export async function liveSession(req: Request, config: Config): Promise<Session | null> {
  const auth = required(config.auth);
  const token = sessionToken(req);
  const session = token ? await verifySession(auth, token) : null;
  if (!session || (await isRevoked(config, session))) return null;
  return session;
}

/** The request's live session, or throws 401 (503/500 when sessions are not configured or checkable). */
export async function requirePreviewSession(req: Request, config: Config): Promise<Session> {
  const session = await liveSession(req, config);
  if (!session) throw unauthorized();
  return session;
}
