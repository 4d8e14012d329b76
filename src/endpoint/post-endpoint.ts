/**
 * The endpoints under `/api/posts`: each may be asked for drafts with
 * `preview=1`, which reads a session (CORS with credentials, IP-guarded in
 * the `preview` scope) and requires a live one before anything is read.
 */
import { asksForPreview, postSlug } from "../blog/posts.ts";
import type { ReadResult } from "../content/cached-read.ts";
import type { ParamSpec, ParsedQuery } from "../http/query.ts";
import type { RequestScope } from "../http/request-scope.ts";
import type { NetlifyHandler } from "../netlify/context.ts";
import { requirePreviewSession } from "../preview/session.ts";
import type { EndpointDefinition } from "./define-endpoint.ts";
import { defineReadEndpoint } from "./read-endpoint.ts";

type PreviewQuery = Record<string, ParamSpec> & { preview: { type: "flag" } };

/** GET on a posts path without a slug (`/api/posts`). */
export function definePostsEndpoint<Q extends PreviewQuery>(
  name: string,
  route: EndpointDefinition["route"],
  query: Q,
  read: (scope: RequestScope, query: ParsedQuery<Q>) => Promise<ReadResult>,
): NetlifyHandler {
  return defineReadEndpoint({
    name,
    route,
    usesSession: asksForPreview,
    query,
    read: async (scope, parsed) => {
      if ((parsed as { preview: boolean }).preview) await requirePreviewSession(scope.req, scope.config);
      return read(scope, parsed);
    },
  });
}

/** GET on a path with the post's `:slug`, validated before anything else. */
export function defineSlugEndpoint<Q extends PreviewQuery>(
  name: string,
  route: EndpointDefinition["route"],
  query: Q,
  read: (scope: RequestScope, slug: string, query: ParsedQuery<Q>) => Promise<ReadResult>,
): NetlifyHandler {
  return definePostsEndpoint(name, route, query, (scope, parsed) =>
    read(scope, postSlug(scope.context), parsed),
  );
}
