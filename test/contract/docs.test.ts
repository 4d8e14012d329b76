/**
 * The user-facing documents against the contract and the code: the
 * README's error table and docs/http-contract.md's list every problem code
 * openapi.json lists (and no other), with the same statuses; the feeds'
 * parameters are the documented ones wherever they are written down; the
 * configuration table names every variable the code reads; the README stays
 * a README (at most 300 lines, a two-command quick start, the Node version
 * of .nvmrc and engines, a Deploy to Netlify link); the licence is the one
 * openapi.json declares; every section the code or openapi.json cites by
 * name (`docs/x.md, "Heading"`) exists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import document from "../../openapi.json";
import { ENV_VARS } from "../../src/core/config.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const README = read("README.md");
const CONTRACT = read("docs/http-contract.md");

const doc = document as unknown as {
  info: { license: { name: string; identifier?: string } };
  components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
  paths: Record<string, Record<string, { parameters?: { name?: string; in?: string; $ref?: string }[] }>>;
};
const documentedCodes = [...doc.components.schemas.Problem.properties.code.enum].sort();

/** The Markdown section under `heading` (up to the next heading of its level or higher). */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, `a section "${heading}"`).toBeGreaterThan(-1);
  const level = heading.match(/^#+/)?.[0].length ?? 2;
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end === -1 ? rest : rest.slice(0, end);
}

/** The (status, code) rows of the first table in `text` whose rows are `| 4xx | \`code\` | … |`. */
function errorRows(text: string): [string, string][] {
  return [...text.matchAll(/^\|\s*(\d{3})\s*\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => [m[1]!, m[2]!]);
}

describe("error tables", () => {
  const readmeRows = errorRows(section(README, "## Endpoints"));
  const contractRows = errorRows(section(CONTRACT, "## Errors"));

  it.each([
    ["README.md", readmeRows],
    ["docs/http-contract.md", contractRows],
  ])("%s lists every code openapi.json lists, and no other, once each", (_file, rows) => {
    const codes = rows.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(documentedCodes);
  });

  it("gives each code the same status in both", () => {
    expect(Object.fromEntries(readmeRows.map(([status, code]) => [code, status]))).toEqual(
      Object.fromEntries(contractRows.map(([status, code]) => [code, status])),
    );
  });
});

describe("the feeds' parameters", () => {
  const operation = doc.paths["/api/feeds/{type}"]!.get!;
  const documented = (operation.parameters ?? [])
    .map((parameter) =>
      parameter.$ref ? parameter.$ref.split("/").at(-1) : parameter.in === "query" && parameter.name,
    )
    .filter((name): name is string => typeof name === "string")
    .sort();

  it("are category, tag and locale in openapi.json, for every feed type", () => {
    expect(documented).toEqual(["category", "locale", "tag"]);
    expect(JSON.stringify(operation)).not.toMatch(/rss and atom only|sitemap takes no/i);
  });

  it("are the same in the README's endpoint table", () => {
    const row = README.split("\n").find((line) => line.includes("`/api/feeds/sitemap`"));
    expect(row).toBeDefined();
    const named = [...(row ?? "").matchAll(/`([a-z_]+)`/g)]
      .map((m) => m[1]!)
      .filter((name) => !name.includes("/"));
    expect([...new Set(named)].sort()).toEqual(documented);
  });

  it("are the same in docs/http-contract.md's parameter table", () => {
    const rows = section(CONTRACT, "## Parameters")
      .split("\n")
      .filter((line) => /^\| `/.test(line) && /\bfeeds?\b/.test(line.split("|")[2] ?? ""));
    const named = rows.flatMap((line) =>
      [...(line.split("|")[1] ?? "").matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!),
    );
    expect(named.sort()).toEqual(documented);
    expect(CONTRACT).not.toMatch(/sitemap takes no query parameter/i);
  });
});

describe("configuration", () => {
  /** Variables a user sets: the code's list, less what Netlify sets itself. */
  const userVariables = ENV_VARS.filter(
    (name) => name !== "NETLIFY_DEV" && name !== "NETLIFY_PURGE_API_TOKEN",
  );
  const table = section(README, "## Configuration");
  const tableVariables = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);

  it("the README's table names every variable the code reads, once", () => {
    expect([...tableVariables].sort()).toEqual([...userVariables].sort());
  });

  it(".env.example mentions every one of them", () => {
    const example = read(".env.example");
    for (const name of userVariables) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, "m"));
  });

  it("netlify.toml's [template.environment] asks for documented variables, each with a description", () => {
    // The table's `NAME = "description"` lines, up to the next table.
    const body =
      read("netlify.toml")
        .split(/^\[template\.environment\]$/m)[1]
        ?.split(/\n\[/)[0] ?? "";
    const asked = Object.fromEntries(
      [...body.matchAll(/^\s*([A-Z_]+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(Object.keys(asked)).toEqual(
      expect.arrayContaining(["BUTTERCMS_API_TOKEN", "WEBHOOK_SECRET", "PREVIEW_PASSWORD", "SESSION_SECRET"]),
    );
    for (const [name, description] of Object.entries(asked)) {
      expect(tableVariables, name).toContain(name);
      expect(description.length, name).toBeGreaterThan(20);
    }
  });
});

describe("the README", () => {
  it("has at most 300 lines", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(300);
  });

  it("keeps the quick start to two commands: npm start and npm test", () => {
    const block = section(README, "## Quick start").match(/```sh\n([\s\S]*?)```/)?.[1] ?? "";
    const commands = block
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => line.split("#")[0]!.trim());
    expect(commands).toEqual(["npm start", "npm test"]);
  });

  it("names the Node version of .nvmrc and the minimum of package.json's engines", () => {
    const nvmrc = read(".nvmrc").trim();
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    const minimum = engines.match(/^>=\s*(\d+\.\d+)/)?.[1];
    expect(minimum).toBeDefined();
    const quickStart = section(README, "## Quick start");
    expect(quickStart).toContain(`**Node ${nvmrc}**`);
    expect(quickStart).toContain(`Node ${minimum} or`);
    expect(quickStart).toContain("EBADENGINE");
  });

  it("has a Deploy to Netlify link with a placeholder for the user's fork", () => {
    expect(README).toContain(
      "(https://app.netlify.com/start/deploy?repository=https://github.com/<you>/<your-fork>)",
    );
  });

  it("documents BLOG_API_URL for npm run example", () => {
    expect(README).toMatch(/BLOG_API_URL=\S+ npm run example/);
  });
});

describe("the licence", () => {
  it("is MIT in LICENSE, openapi.json and both package.json files", () => {
    expect(doc.info.license.identifier).toBe("MIT");
    expect(read("LICENSE").startsWith("MIT License\n")).toBe(true);
    expect(read("LICENSE")).toContain("Permission is hereby granted, free of charge");
    expect(JSON.parse(read("package.json")).license).toBe("MIT");
    expect(JSON.parse(read("client/package.json")).license).toBe("MIT");
  });
});

describe("sections the code cites", () => {
  /** `docs/x.md, "Heading"` (also `docs/x.md ("Heading"`), across a comment's line break or JSON's escapes. */
  const CITATION = /docs\/([\w-]+\.md)[,(\s*/]*\\?"((?:[^"\\]|\\[^"])+)\\?"/g;
  const files = [
    ...readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" }).map((file) => `src/${file}`),
    ...readdirSync(join(ROOT, "functions")).map((file) => `functions/${file}`),
    "openapi.json",
  ].filter((file) => /\.(m?ts|json)$/.test(file));
  const citations = files.flatMap((file) =>
    [...read(file).matchAll(CITATION)].map((match) => ({ file, doc: match[1]!, heading: match[2]! })),
  );
  const headings = (doc: string) =>
    read(`docs/${doc}`)
      .split("\n")
      .filter((line) => /^#+ /.test(line))
      .map((line) => line.replace(/^#+ /, "").trim());

  it("are found: the code cites sections of the docs by name", () => {
    expect(citations.length).toBeGreaterThan(15);
  });

  it("each name a heading of the document they cite", () => {
    const missing = citations
      .filter(({ doc, heading }) => !existsSync(join(ROOT, "docs", doc)) || !headings(doc).includes(heading))
      .map(({ file, doc, heading }) => `${file}: docs/${doc}, "${heading}"`);
    expect(missing).toEqual([]);
  });
});
