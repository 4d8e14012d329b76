/** What every content read needs of its request: the configuration and Netlify's context. */
import type { Config } from "../core/config.ts";
import type { FunctionContext } from "../netlify/context.ts";

export interface ReadScope {
  config: Config;
  context: FunctionContext;
}
