/** The endpoint of GET /api/categories, /api/tags and /api/authors: one shape, three resources. */
import { TERMS_QUERY, type TermResource, termListRepresentation, termTags } from "../blog/catalog.ts";
import { defineEndpoint, type EndpointDefinition, type NetlifyHandler } from "./define-endpoint.ts";
import { parseQuery } from "../http/query.ts";
import { readResponse } from "./read-response.ts";

export function termListEndpoint(resource: TermResource, route: EndpointDefinition["route"]): NetlifyHandler {
  return defineEndpoint({
    route,
    methods: {
      GET: async (scope) => {
        const query = parseQuery(scope.url.searchParams, TERMS_QUERY);
        const withPosts = query.include === "recent_posts";
        const representation = await termListRepresentation(scope, resource, withPosts);
        return readResponse(scope, representation, {
          preview: false,
          tags: termTags(resource, withPosts),
          query: TERMS_QUERY,
        });
      },
    },
  });
}
