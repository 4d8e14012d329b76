/**
 * The import directions of src/ (docs/architecture.md, "Layers"): a wrong
 * import fails `npm test`. Each folder lists the folders it may import;
 * only netlify/ imports `@netlify/*`; nothing under src/ or functions/
 * imports the sample blog, msw or test code (they would ship in the zips).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** Folder → the src/ folders it may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  netlify: ["core"],
  butter: ["core"],
  http: ["core", "butter", "netlify"],
  resilience: ["core", "butter"],
  content: ["core", "butter", "http", "resilience", "netlify"],
  preview: ["core", "http", "netlify"],
  blog: ["core", "butter", "http", "content", "netlify"],
  endpoint: ["core", "butter", "http", "resilience", "content", "netlify", "preview", "blog"],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.m?ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every module specifier a file imports, statically or dynamically. */
function importsOf(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map(
    (match) => match[1],
  );
  return specifiers.filter((specifier): specifier is string => specifier !== undefined);
}

/** The wrong imports of `file` (relative to the repo), as readable lines. */
function violations(file: string, source: string): string[] {
  const path = relative(ROOT, file);
  const [top, folder] = path.split("/");
  const found: string[] = [];
  for (const specifier of importsOf(source)) {
    if (
      specifier.startsWith("@netlify/") &&
      !(top === "src" && folder === "netlify") &&
      top !== "functions"
    ) {
      found.push(`${path} imports ${specifier}: only src/netlify/ may`);
    }
    if (/(^|\/)(sample|test)\//.test(specifier) || /^msw(\/|$)/.test(specifier)) {
      found.push(`${path} imports ${specifier}: never from production code`);
    }
    if (top !== "src" || !specifier.startsWith(".")) continue;
    const target = relative(join(ROOT, "src"), resolve(file, "..", specifier)).split("/")[0] as string;
    if (target === folder) continue;
    if (!(ALLOWED[folder as string] ?? []).includes(target)) {
      found.push(
        `${path} imports ${specifier}: src/${folder}/ may import ${ALLOWED[folder as string]?.join(", ") || "nothing"}`,
      );
    }
  }
  return found;
}

/** The src/ files each src/ file imports (type-only imports and re-exports included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of filesUnder(join(ROOT, "src"))) {
    const targets = importsOf(readFileSync(file, "utf8"))
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => relative(ROOT, resolve(file, "..", specifier)));
    graph.set(relative(ROOT, file), targets);
  }
  return graph;
}

/** Import circles of `graph`, each as the path that closes it (`a → b → a`): at least one whenever there is any. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): void => {
    const at = path.indexOf(node);
    if (at !== -1) {
      found.push([...path.slice(at), node].join(" → "));
      return;
    }
    if (done.has(node)) return;
    path.push(node);
    for (const next of graph.get(node) ?? []) visit(next);
    path.pop();
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) visit(node);
  return found;
}

describe("layers", () => {
  it("every folder of src/ is a known layer", () => {
    const folders = readdirSync(join(ROOT, "src"), { withFileTypes: true }).filter((entry) =>
      entry.isDirectory(),
    );
    expect(folders.map((entry) => entry.name).sort()).toEqual(Object.keys(ALLOWED).sort());
    const loose = readdirSync(join(ROOT, "src"), { withFileTypes: true }).filter((entry) => entry.isFile());
    expect(loose.map((entry) => entry.name)).toEqual([]);
  });

  it("src/ and functions/ import only in the allowed directions", () => {
    const files = [...filesUnder(join(ROOT, "src")), ...filesUnder(join(ROOT, "functions"))];
    const found = files.flatMap((file) => violations(file, readFileSync(file, "utf8")));
    expect(found).toEqual([]);
  });

  it.each([
    ["src/butter/client.ts", 'import { parseQuery } from "../http/query.ts";'],
    ["src/core/config.ts", 'import { log } from "../netlify/blobs.ts";'],
    ["src/blog/posts.ts", 'import type { X } from "../endpoint/define-endpoint.ts";'],
    ["src/blog/posts.ts", 'import { purgeCache } from "@netlify/functions";'],
    ["functions/getPosts.mts", 'import { emulateButter } from "../sample/butter-emulator.ts";'],
    ["src/content/cached-read.ts", 'const { x } = await import("../preview/session.ts");'],
  ])("flags a wrong import in %s", (file, line) => {
    expect(violations(join(ROOT, file), line)).toHaveLength(1);
  });

  it("has no import circle in src/, type-only imports included", () => {
    expect(importCycles(importGraph())).toEqual([]);
  });

  it("finds an import circle, however long, and only circles", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c", "d"]],
      ["c", ["a"]],
      ["d", []],
    ]);
    expect(importCycles(graph)).toEqual(["a → b → c → a"]);
    expect(
      importCycles(
        new Map([
          ["x", ["y"]],
          ["y", []],
        ]),
      ),
    ).toEqual([]);
    expect(importCycles(new Map([["s", ["s"]]]))).toEqual(["s → s"]);
  });
});
