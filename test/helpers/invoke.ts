/** Calling a function's default export in-process, as Netlify would, with a hand-built context. */
import type { Context } from "@netlify/functions";

export type Handler = (req: Request, context: Context) => Response | Promise<Response>;

export interface InvokeOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  params?: Record<string, string>;
  ip?: string;
  deployContext?: string;
  waitUntil?: (promise: Promise<unknown>) => void;
}

export const SITE = "https://blog.example.com";

export function netlifyContext(options: InvokeOptions = {}): Context {
  // A partial Context: handlers read only ip, params, requestId, deploy and waitUntil.
  return {
    ip: options.ip ?? "198.51.100.7",
    params: options.params ?? {},
    requestId: "01TESTREQUEST",
    deploy: { context: options.deployContext ?? "production", id: "d1", published: true },
    waitUntil: options.waitUntil ?? (() => {}),
  } as unknown as Context;
}

export async function invoke(handler: Handler, path: string, options: InvokeOptions = {}) {
  const req = new Request(new URL(path, SITE), {
    method: options.method ?? "GET",
    headers: options.headers,
    body: options.body,
  });
  const response = await handler(req, netlifyContext(options));
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return {
    response,
    status: response.status,
    headers: response.headers,
    text,
    json: json as Record<string, unknown>,
  };
}
