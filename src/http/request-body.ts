/** Reading a small JSON request body safely: media type, size cap, syntax. */

import { invalidParameters, payloadTooLarge, unsupportedMediaType } from "../core/errors.ts";
import { isJsonObject } from "../core/json-object.ts";

const isJsonMediaType = (contentType: string | null): boolean =>
  /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType ?? "");

/** Reads at most `maxBytes` of the body, stopping as soon as it is exceeded. */
async function readCapped(req: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => payloadTooLarge(maxBytes);
  const declared = Number(req.headers.get("Content-Length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The body as a JSON object: 415 unless JSON, 413 over `maxBytes`, 400 if malformed or not an object. */
export async function readJsonObject(req: Request, maxBytes: number): Promise<Record<string, unknown>> {
  if (!isJsonMediaType(req.headers.get("Content-Type"))) {
    throw unsupportedMediaType();
  }
  const text = await readCapped(req, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameters([{ name: "body", reason: "is not valid JSON" }]);
  }
  if (!isJsonObject(value)) {
    throw invalidParameters([{ name: "body", reason: "must be a JSON object" }]);
  }
  return value;
}
