/**
 * Everything that boots `npm start` or `netlify dev`, in one file: every
 * `netlify dev` of this checkout builds its functions into the same
 * `.netlify/functions-serve/` folder, so only one may run at a time. As one
 * file it runs on one worker, one boot after another, while the in-process
 * files run beside it. Each suite boots its own server in its own
 * `describe`, in this order.
 */
import "./netlify-dev.suite.ts";
import "./smoke.suite.ts";
import "./content-layer.suite.ts";
import "./newcomer.suite.ts";
