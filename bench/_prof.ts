import { SetupServerApi } from "msw/node";
import { FetchInterceptor } from "@mswjs/interceptors/fetch";
import { butterHandlers } from "../sample/msw-handlers.ts";
const server = new SetupServerApi(butterHandlers({ token: "bench-token", latencyMs: 40 }), [new FetchInterceptor()]);
process.env.BUTTERCMS_API_TOKEN = "bench-token";
server.listen({ onUnhandledRequest: "error" });
const ours = (await import("../functions/getPosts.mts")).default as any;
const ctx = () => ({ ip: "198.51.100.7", params: {}, requestId: "b", deploy: { context: "production", id: "d", published: true }, waitUntil: (w: Promise<unknown>) => void w });
const path = "https://blog.example/api/posts?page=1&page_size=10";
await (await ours(new Request(path), ctx())).text();
const N = Number(process.env.N ?? 50000);
const t0 = performance.now();
for (let i = 0; i < N; i++) { const r = await ours(new Request(path), ctx()); await r.text(); }
console.log("per call µs", ((performance.now() - t0) / N) * 1000);
const floorBody = "x".repeat(2000);
const t1 = performance.now();
for (let i = 0; i < N; i++) { const r = new Response(floorBody, { headers: { "Content-Type": "application/json" } }); new Request(path); await r.text(); }
console.log("floor µs", ((performance.now() - t1) / N) * 1000);
server.close();
