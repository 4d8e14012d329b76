/**
 * Real responses against `openapi.json`: the schema the document gives for a
 * path, method, status and content type, checked with Ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). Shared by the contract tests
 * (test/contract/openapi.test.ts) and the smoke test of a running deploy
 * (tools/smoke.ts); it imports nothing from src/.
 */
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

type ResponseObject = { $ref?: string; content?: Record<string, unknown> };
type ParameterObject = { $ref?: string; name?: string; in?: string };
type Operation = { responses: Record<string, ResponseObject>; parameters?: ParameterObject[] };
type Document = { paths: Record<string, Record<string, Operation>> };

/** What a check needs of a response: `json` is the parsed body, when it was JSON. */
export interface SeenResponse {
  status: number;
  headers: Headers;
  text: string;
  json?: unknown;
}

/** A JSON pointer from its unescaped parts. */
export const pointer = (...parts: string[]): string =>
  parts.map((part) => part.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

/** An Ajv that knows the document as `openapi`: `getSchema("openapi#/components/schemas/Post")`. */
export function openApiAjv(document: object): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, "openapi");
  return ajv;
}

function resolveRef<T>(document: object, ref: string): T {
  return ref
    .slice(2)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<Record<string, unknown>>(
      (node, part) => (node?.[part] ?? {}) as Record<string, unknown>,
      document as Record<string, unknown>,
    ) as T;
}

/** Ajv's errors as short readable lines (`/data/0 must NOT have property 'email'`). */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined, max = 3): string[] {
  const lines = (errors ?? []).map((error) => {
    const where = error.instancePath || "(the body)";
    const params = error.params as Record<string, unknown>;
    const extra = typeof params.additionalProperty === "string" ? ` ('${params.additionalProperty}')` : "";
    return `${where} ${error.message ?? error.keyword}${extra}`;
  });
  return lines.length > max ? [...lines.slice(0, max), `… and ${lines.length - max} more`] : lines;
}

/**
 * What is wrong with one real response against the document: an empty list
 * when it conforms. The operation must document the status (directly or as
 * a shared `#/components/responses/…`), the content type, and the body must
 * validate against that content type's schema; a response documented
 * without content must have no body.
 */
export function responseProblems(
  ajv: Ajv2020,
  document: object,
  path: string,
  method: string,
  res: SeenResponse,
): string[] {
  const operation = (document as Document).paths[path]?.[method];
  if (!operation) return [`${method.toUpperCase()} ${path} is not documented`];
  let location = pointer("paths", path, method, "responses", String(res.status));
  let documented = operation.responses[String(res.status)];
  if (!documented) return [`${method.toUpperCase()} ${path} does not document status ${res.status}`];
  if (documented.$ref) {
    location = documented.$ref.slice(2);
    documented = resolveRef<ResponseObject>(document, documented.$ref);
  }
  const mediaType = (res.headers.get("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
  if (!documented.content) {
    return res.text === "" ? [] : [`status ${res.status} is documented without a body, but one came`];
  }
  if (!Object.keys(documented.content).includes(mediaType)) {
    return [
      `status ${res.status} is documented as ${Object.keys(documented.content).join(" or ")}, not ${mediaType || "(no Content-Type)"}`,
    ];
  }
  const validate = ajv.getSchema(`openapi#/${location}/${pointer("content", mediaType, "schema")}`);
  if (!validate) return [`the schema of ${method.toUpperCase()} ${path} ${res.status} does not compile`];
  let data: unknown = res.text;
  if (!mediaType.endsWith("xml")) {
    if (res.json !== undefined) data = res.json;
    else {
      try {
        data = JSON.parse(res.text);
      } catch {
        return [`the body is not JSON although it is ${mediaType}`];
      }
    }
  }
  if (validate(data)) return [];
  return describeErrors(validate.errors);
}

/** The names of an operation's query parameters, in the document's order (`$ref`s followed). */
export function queryParameters(document: object, path: string, method: string): string[] {
  const pathItem = (document as Document).paths[path] as Record<string, unknown> | undefined;
  const operation = pathItem?.[method] as Operation | undefined;
  const listed = [
    ...((pathItem?.parameters as ParameterObject[] | undefined) ?? []),
    ...(operation?.parameters ?? []),
  ];
  return listed
    .map((parameter) => (parameter.$ref ? resolveRef<ParameterObject>(document, parameter.$ref) : parameter))
    .filter((parameter) => parameter.in === "query" && typeof parameter.name === "string")
    .map((parameter) => parameter.name as string);
}
