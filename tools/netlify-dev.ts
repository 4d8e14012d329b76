/**
 * Boots the backend the way a developer does, `npm start` (scripts/start.mjs
 * → `netlify dev --offline`), on a free port, with a clean environment plus
 * the scenario's variables, and waits until it answers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { ENV_VARS } from "../src/core/config.ts";
import { ROOT } from "./netlify-build.ts";

export interface DevServer {
  url: string;
  /** Everything netlify dev and the functions printed so far. */
  output: () => string;
  bootMs: number;
  stop: () => Promise<void>;
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

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_UPDATE_NOTIFIER: "1" };
  for (const name of ENV_VARS) delete env[name];
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  delete env.TEST;
  return { ...env, BUTTERCMS_SAMPLE: "1", ...extra };
}

export async function startNetlifyDev(
  extraEnv: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<DevServer> {
  const port = await freePort();
  const functionsPort = await freePort();
  const started = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, "scripts", "start.mjs"), "--port", String(port), "--functions-port", String(functionsPort)],
    { cwd: ROOT, env: cleanEnv(extraEnv), stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://localhost:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  };
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`netlify dev exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/api/ip-allowlist`, { signal: AbortSignal.timeout(3_000) });
      await res.arrayBuffer();
      return { url, output: () => output, bootMs: Date.now() - started, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  await stop();
  throw new Error(`netlify dev did not answer within ${timeoutMs} ms:\n${output}`);
}
