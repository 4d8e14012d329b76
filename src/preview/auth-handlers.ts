/**
 * POST|GET|DELETE /api/auth: log in with PREVIEW_PASSWORD, read the session,
 * log out. Every response is `private, no-store`.
 */
import { required } from "../core/config.ts";
import { secretsMatch } from "../core/constant-time.ts";
import { invalidCredentials, invalidParameters, sessionStoreUnavailable } from "../core/errors.ts";
import { sessionCookie } from "../http/cookies.ts";
import { problemResponse } from "../http/problem.ts";
import { parseQuery } from "../http/query.ts";
import { jsonResponse } from "../http/representation.ts";
import { readJsonObject } from "../http/request-body.ts";
import type { RequestScope } from "../http/request-scope.ts";
import { revokeSession } from "./revocation.ts";
import { liveSession, SESSION_COOKIE, sessionToken, verifySession } from "./session.ts";
import { issueSession } from "./session-issue.ts";

const MAX_LOGIN_BODY_BYTES = 4096;

/** `/api/auth` takes no query parameter: any is `400 invalid_parameter`, as on every endpoint. */
const refuseQuery = (url: URL): void => {
  parseQuery(url.searchParams, {});
};

function passwordFrom(body: Record<string, unknown>): string {
  const unknown = Object.keys(body).filter((name) => name !== "password");
  const errors = unknown.map((name) => ({ name, reason: "is not a known field (known: password)" }));
  if (typeof body.password !== "string" || body.password === "") {
    errors.push({ name: "password", reason: "is required and must be a non-empty string" });
  }
  if (errors.length > 0) throw invalidParameters(errors);
  return body.password as string;
}

export async function logIn({ req, url, config }: RequestScope): Promise<Response> {
  refuseQuery(url);
  const auth = required(config.auth);
  const password = passwordFrom(await readJsonObject(req, MAX_LOGIN_BODY_BYTES));
  if (!secretsMatch(password, auth.password)) {
    throw invalidCredentials();
  }
  const session = await issueSession(auth);
  return jsonResponse(
    { authenticated: true, expires_at: session.expiresAt.toISOString(), token: session.token },
    200,
    {
      "Set-Cookie": sessionCookie(SESSION_COOKIE, session.token, auth.ttlSeconds),
    },
  );
}

export async function sessionStatus({ req, url, config }: RequestScope): Promise<Response> {
  refuseQuery(url);
  const session = await liveSession(req, config);
  const body = session
    ? { authenticated: true, expires_at: session.expiresAt.toISOString() }
    : { authenticated: false };
  return jsonResponse(body, 200);
}

/**
 * Ends the session the request carries (cookie or Bearer) on every
 * instance, and clears the cookie. Without a valid session there is nothing
 * to revoke: still 204. When the revocation cannot be recorded, 503: the
 * token would otherwise stay valid, and the client must know.
 */
export async function logOut({ req, url, config, context }: RequestScope): Promise<Response> {
  refuseQuery(url);
  const clearCookie = { "Set-Cookie": sessionCookie(SESSION_COOKIE, "", 0) };
  const auth = required(config.auth);
  const token = sessionToken(req);
  const session = token ? await verifySession(auth, token) : null;
  if (session) {
    try {
      await revokeSession(config, session, context);
    } catch (error) {
      const problem = sessionStoreUnavailable(`logout could not be recorded: ${(error as Error).message}`);
      return problemResponse(problem, clearCookie);
    }
  }
  return new Response(null, { status: 204, headers: clearCookie });
}
