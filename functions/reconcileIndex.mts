import type { Config, Context } from "@netlify/functions";
import { runReconciliation } from "../src/content/reconcile.ts";
import { getConfig } from "../src/core/config.ts";
import { log } from "../src/core/log.ts";
import { withLogContext } from "../src/core/log-context.ts";

/**
 * Scheduled: compares each locale's published index with ButterCMS and
 * heals what a lost webhook left wrong (docs/architecture.md,
 * "Reconciliation"). Netlify runs it on the production deploy only, every
 * 5 minutes; each run decides from the plan's budget what is due. Under
 * `netlify dev`: `netlify functions:invoke reconcileIndex`.
 */
export default (_req: Request, context: Context): Promise<Response> =>
  withLogContext({ function: "reconcileIndex", requestId: context.requestId }, async () => {
    const report = await runReconciliation({ config: getConfig(), context });
    log("info", "reconcile.run", "Reconciliation run", { report });
    return new Response(null, { status: 204 });
  });

// A plain object literal of literals: anything else is dropped silently by Netlify's bundler.
export const config: Config = { schedule: "*/5 * * * *" };
