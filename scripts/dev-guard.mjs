// `npm start` loads this into netlify-cli's main process only (`node --import`
// before the CLI's bin/run.js; worker threads skip it). It keeps a few
// requests from killing or confusing `netlify dev` (netlify-cli 27.10.2):
//
// - The dev proxy's request listener is an async function whose rejections
//   nobody catches (dist/utils/proxy.js:612, registered at :822). It awaits
//   the whole request body first (:613-614, create-stream-promise.js), which
//   rejects when the client aborts mid-body ("Error: aborted"), when a body
//   passes 6 MB, or after 30 s (proxy.js:864 passes BYTES_LIMIT = 30 as the
//   *timeout in seconds*), and the redirect matcher throws on a malformed
//   percent-encoding (rules-proxy.js:70, decodeURIComponent), and the function
//   matcher rethrows a function's build error while an edit does not build
//   (netlify-function.js:228, `await this.buildQueue`). Node turns the
//   unhandled rejection into an uncaught exception, and the CLI's handler
//   (dist/commands/main.js:62) exits: every later request is refused. Here
//   every rejection of that listener is caught and answered when the client
//   is still there (413, 408, 500), or logged in one line when it is gone.
// - Before the CLI sees a request, it answers what would otherwise end in a
//   crash or a stack trace with absolute paths: a path that is not valid
//   percent-encoding (400; the functions server's router throws URIError with
//   its stack), TRACE/TRACK under /api/ (405; undici's `new Request` in the
//   function bootstrap throws), and a Content-Length over 6 MB (413, at once:
//   otherwise the proxy waits 30 s for a body that never comes). 6 MB is the
//   CLI's own body limit and Netlify's request limit for functions.
// Answers under /api/ are problem+json like the functions' own.
import http from "node:http";
import https from "node:https";
import { isMainThread } from "node:worker_threads";

const MAX_BODY_BYTES = 6_000_000;
const PROXY_SOURCE = /[\\/]netlify-cli[\\/]dist[\\/]utils[\\/]proxy\.js/;
const TITLES = {
  400: "Bad Request",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  500: "Internal Server Error",
};

const note = (message) => console.error(`◈ npm start guard: ${message}`);

function isApiPath(pathname) {
  return pathname === "/api" || pathname.startsWith("/api/");
}

/** Answers `req` with a problem (under /api/) or plain text, closing the connection. */
function answer(req, res, status, detail, code, headers = {}) {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const api = isApiPath((req.url ?? "").split("?")[0]);
  const body = api
    ? JSON.stringify({ type: "about:blank", title: TITLES[status], status, detail, code })
    : `${TITLES[status]}: ${detail}\n`;
  res.writeHead(status, {
    "Content-Type": api ? "application/problem+json" : "text/plain; charset=utf-8",
    "Cache-Control": "private, no-store",
    "Content-Length": Buffer.byteLength(body),
    "X-Content-Type-Options": "nosniff",
    Connection: "close",
    ...headers,
  });
  res.end(body);
}

/** The methods the function at `req.url` allows, from its own OPTIONS answer (`undefined`: no function there). */
function allowedMethods(server, req) {
  return new Promise((resolve) => {
    const probe = http.request(
      {
        host: "127.0.0.1",
        port: server.address().port,
        method: "OPTIONS",
        path: req.url,
        headers: { host: req.headers.host ?? "localhost" },
      },
      (res) => {
        res.resume();
        const methods = res.headers["access-control-allow-methods"];
        resolve(res.statusCode === 204 && methods ? methods : undefined);
      },
    );
    probe.on("error", () => resolve(undefined));
    probe.end();
  });
}

/** What to answer before the CLI sees `req`, or `undefined` to let it through. */
function screen(req) {
  let pathname;
  try {
    pathname = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`).pathname;
  } catch {
    return { status: 400, detail: "The request URL or Host header is not valid.", code: "invalid_parameter" };
  }
  try {
    decodeURIComponent(pathname);
  } catch {
    return {
      status: 400,
      detail: "The request path is not valid percent-encoding.",
      code: "invalid_parameter",
    };
  }
  const length = Number(req.headers["content-length"]);
  if (length > MAX_BODY_BYTES) {
    return {
      status: 413,
      detail: `The request body must be at most ${MAX_BODY_BYTES} bytes.`,
      code: "payload_too_large",
    };
  }
  if ((req.method === "TRACE" || req.method === "TRACK") && isApiPath(pathname)) return { probeAllow: true };
  return undefined;
}

/** Answers a failure of the CLI's request listener. */
function failed(req, res, error) {
  const what = `${req.method} ${req.url}`;
  const message = error instanceof Error ? error.message : String(error);
  if (req.destroyed && (message === "aborted" || error?.code === "ECONNRESET")) {
    note(`${what}: the client closed the connection before sending its whole body (ignored)`);
    res.destroy();
  } else if (message === "Stream body too big") {
    note(`${what}: body over ${MAX_BODY_BYTES} bytes, answered 413`);
    answer(req, res, 413, `The request body must be at most ${MAX_BODY_BYTES} bytes.`, "payload_too_large");
  } else if (message === "Request timed out waiting for body") {
    note(`${what}: the body did not arrive within 30 s, answered 408`);
    answer(req, res, 408, "The request body did not arrive in time.", "request_timeout");
  } else {
    note(`${what}: netlify dev failed, answered 500:\n${error?.stack ?? message}`);
    answer(
      req,
      res,
      500,
      "netlify dev failed on this request; its terminal has the error.",
      "internal_error",
    );
  }
}

function guardProxyListener(listener) {
  return function guardedProxyRequest(req, res) {
    const verdict = screen(req);
    const run = () => {
      let result;
      try {
        result = listener.call(this, req, res);
      } catch (error) {
        failed(req, res, error);
        return;
      }
      if (typeof result?.then === "function") result.then(undefined, (error) => failed(req, res, error));
    };
    if (verdict === undefined) return run();
    if (!verdict.probeAllow) {
      note(`${req.method} ${req.url}: answered ${verdict.status} before netlify dev`);
      return answer(req, res, verdict.status, verdict.detail, verdict.code);
    }
    allowedMethods(this, req).then((allow) => {
      if (allow === undefined) return run();
      answer(req, res, 405, `The method ${req.method} is not allowed here.`, "method_not_allowed", {
        Allow: allow,
      });
    });
  };
}

function guardUpgradeListener(listener) {
  return function guardedUpgrade(req, socket, head) {
    const destroy = (error) => {
      note(`upgrade ${req.url}: ${error instanceof Error ? error.message : error} (connection closed)`);
      socket.destroy();
    };
    if (screen(req)?.status === 400) return destroy("invalid URL");
    try {
      const result = listener.call(this, req, socket, head);
      if (typeof result?.then === "function") result.then(undefined, destroy);
    } catch (error) {
      destroy(error);
    }
  };
}

function install(module) {
  const createServer = module.createServer;
  module.createServer = function guardedCreateServer(...args) {
    const fromProxy = PROXY_SOURCE.test(new Error().stack ?? "");
    const index = args.findIndex((arg) => typeof arg === "function");
    if (fromProxy && index !== -1) args[index] = guardProxyListener(args[index]);
    const server = createServer.apply(this, args);
    if (fromProxy) {
      const on = server.on;
      server.on = server.addListener = function guardedOn(event, listener) {
        return on.call(this, event, event === "upgrade" ? guardUpgradeListener(listener) : listener);
      };
    }
    return server;
  };
}

if (isMainThread) {
  install(http);
  install(https);
}
