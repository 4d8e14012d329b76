// One cold start: import a function file as shipped (unzipped from its
// Netlify zip) and invoke it once, in this fresh process. Prints JSON.
import { pathToFileURL } from "node:url";

const [file, path] = process.argv.slice(2);
const context = {
  ip: "198.51.100.7",
  params: {},
  requestId: "cold",
  deploy: { context: "production", id: "d", published: true },
  waitUntil: () => {},
};
const started = performance.now();
const mod = await import(pathToFileURL(file).href);
const response = await mod.default(new Request(`https://blog.example${path}`), {
  ...context,
  params: JSON.parse(process.env.PROBE_PARAMS ?? "{}"),
});
await response.text();
const finished = performance.now();
console.log(
  JSON.stringify({
    status: response.status,
    importAndFirstMs: finished - started,
    sinceProcessStartMs: finished,
  }),
);
