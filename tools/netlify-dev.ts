/**
 * Boots the backend the way a developer does, `npm start` (scripts/start.mjs
 * → `netlify dev --offline`), or as plain `netlify dev --offline` with
 * `plain: true`, on a free port, with a clean environment plus the scenario's
 * variables, and waits until it answers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ENV_VARS } from "../src/core/config.ts";
import { ROOT } from "./netlify-build.ts";

export interface DevServer {
  url: string;
  port: number;
  /** Everything netlify dev and the functions printed so far. */
  output: () => string;
  /** Whether the netlify dev process is still running. */
  running: () => boolean;
  bootMs: number;
  stop: () => Promise<void>;
}

export interface DevOptions {
  /** How long to wait for the first answer (default 60 s). */
  timeoutMs?: number;
  /**
   * Run `netlify dev --offline --internal-disable-edge-functions` itself, as a
   * user typing it would, instead of `npm start`: no BUTTERCMS_SAMPLE, no
   * NODE_OPTIONS, only what netlify.toml sets up.
   */
  plain?: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function cleanEnv(extra: Record<string, string>, plain: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_UPDATE_NOTIFIER: "1" };
  for (const name of ENV_VARS) delete env[name];
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  delete env.TEST;
  // Plain: no token, as in a fresh clone. Set but empty rather than unset, so
  // that a developer's .env cannot put one back (netlify dev lets variables
  // already in the environment win over .env).
  const scenario = plain ? { BUTTERCMS_API_TOKEN: "" } : { BUTTERCMS_SAMPLE: "1" };
  // A store of its own per boot: the CLI keeps its Blobs sandbox in .netlify/ across runs.
  const store = { CONTENT_STORE: `dev-${process.pid}-${Date.now().toString(36)}` };
  return { ...env, ...scenario, ...store, ...extra };
}

export async function startNetlifyDev(
  extraEnv: Record<string, string> = {},
  { timeoutMs = 60_000, plain = false }: DevOptions = {},
): Promise<DevServer> {
  const port = await freePort();
  const functionsPort = await freePort();
  const ports = ["--port", String(port), "--functions-port", String(functionsPort)];
  const args = plain
    ? [
        join(ROOT, "node_modules", "netlify-cli", "bin", "run.js"),
        "dev",
        "--offline",
        "--internal-disable-edge-functions",
        ...ports,
      ]
    : [join(ROOT, "scripts", "start.mjs"), ...ports];
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: cleanEnv(extraEnv, plain),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://localhost:${port}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  };
  while (Date.now() - started < timeoutMs) {
    if (!running()) throw new Error(`netlify dev exited early:\n${output}`);
    try {
      // A preflight: 204 from the function in every configuration, so no 403/404 retries by the dev proxy.
      const res = await fetch(`${url}/api/ip-allowlist`, {
        method: "OPTIONS",
        signal: AbortSignal.timeout(3_000),
      });
      await res.arrayBuffer();
      return { url, port, output: () => output, running, bootMs: Date.now() - started, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await stop();
  throw new Error(`netlify dev did not answer within ${timeoutMs} ms:\n${output}`);
}

/** A request to a running dev server, with its body as text and, when it is JSON, parsed. */
export async function call(server: DevServer, path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, { redirect: "manual", ...init });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}
