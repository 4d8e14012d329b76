/** The endpoint of GET /api/categories, /api/tags and /api/authors: one shape, three resources. */
import { TERMS_QUERY, type TermResource, termListRepresentation } from "../blog/catalog.ts";
import type { NetlifyHandler } from "../netlify/context.ts";
import type { EndpointDefinition } from "./define-endpoint.ts";
import { defineReadEndpoint } from "./read-endpoint.ts";

export function termListEndpoint(
  name: string,
  resource: TermResource,
  route: EndpointDefinition["route"],
): NetlifyHandler {
  return defineReadEndpoint({
    name,
    route,
    query: TERMS_QUERY,
    read: (scope, query) => termListRepresentation(scope, resource, query.include === "recent_posts"),
  });
}
