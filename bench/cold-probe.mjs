// One cold start: import a function file as shipped (unzipped from its
// Netlify zip) and invoke it once, in this fresh process. Prints JSON.
// PROBE_REQUEST: { path, method?, headers?, body?, params? }.
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [file] = process.argv.slice(2);
const probe = JSON.parse(process.env.PROBE_REQUEST ?? "{}");
const context = {
  ip: "198.51.100.7",
  params: probe.params ?? {},
  requestId: "cold",
  deploy: { context: "production", id: "d", published: true },
  waitUntil: () => {},
};
const request = new Request(`https://blog.example${probe.path}`, {
  method: probe.method ?? "GET",
  headers: probe.headers,
  body: probe.body,
});
const started = performance.now();
const mod = await import(pathToFileURL(file).href);
const response = await mod.default(request, context);
await response.text();
const finished = performance.now();
const result = JSON.stringify({
  status: response.status,
  importAndFirstMs: finished - started,
  sinceProcessStartMs: finished,
});
// To a file: the functions' own log lines share stdout.
if (process.env.PROBE_OUT) writeFileSync(process.env.PROBE_OUT, result);
else console.log(result);
// Background work (waitUntil: Blobs writes) gets a moment, then the process ends: idle keep-alive
// sockets to the Blobs server would otherwise hold it open for seconds, outside the timing anyway.
setTimeout(() => process.exit(0), 300);
