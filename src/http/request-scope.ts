/** What a method handler gets for one request: the request, its URL, the configuration, Netlify's context. */
import type { Config } from "../core/config.ts";
import type { FunctionContext } from "../netlify/context.ts";

export interface RequestScope {
  req: Request;
  /** The request's URL (under `netlify dev`, with the dev proxy's retry suffix undone). */
  url: URL;
  config: Config;
  context: FunctionContext;
  /**
   * The headers every response to this request carries (CORS, `nosniff`).
   * The endpoint adds them to a response that lacks `X-Content-Type-Options`;
   * a response built with them is sent as it is.
   */
  headers: Readonly<Record<string, string>>;
}

/** A method handler: returns its status, body and own headers; the endpoint adds the common ones. */
export type MethodHandler = (scope: RequestScope) => Promise<Response>;
