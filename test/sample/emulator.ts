/** Calls the ButterCMS emulation directly (no msw, no network), as the SDK would. */
import { BUTTER_API, type EmulatorOptions, emulateButter } from "../../sample/butter-emulator.ts";

export const TOKEN = "emulator-test-token";

export interface Answer {
  status: number;
  headers: Headers;
  type: ResponseType;
  body: unknown;
}

/** `path` as in the API (`posts/`, `posts/<slug>/`, `feeds/rss/`), the query without the token. */
export async function butter(
  path: string,
  query: Record<string, string> = {},
  options: Partial<EmulatorOptions> & { signal?: AbortSignal } = {},
): Promise<Answer> {
  const url = new URL(`${BUTTER_API}/${path}`);
  for (const [name, value] of Object.entries({ ...query, auth_token: query.auth_token ?? TOKEN })) {
    if (value !== "") url.searchParams.set(name, value);
  }
  const { signal, ...emulatorOptions } = options;
  const request = new Request(url, signal ? { signal } : {});
  const res = await emulateButter(request, { token: TOKEN, ...emulatorOptions });
  if (!res) throw new Error(`not an emulated URL: ${url}`);
  if (res.type === "error") return { status: 0, headers: res.headers, type: res.type, body: undefined };
  const text = await res.text();
  const isJson = res.headers.get("content-type")?.includes("application/json");
  return { status: res.status, headers: res.headers, type: res.type, body: isJson ? JSON.parse(text) : text };
}

export interface PostJson {
  slug: string;
  title: string;
  status: string;
  url: string;
  published: string | null;
  featured_image: string | null;
  body?: string;
  rank?: number;
  categories: { slug: string }[];
  tags: { slug: string }[];
  author: { slug: string };
}

export interface ListJson {
  meta: Record<string, number | null>;
  data: PostJson[];
}

export const asList = (answer: Answer): ListJson => answer.body as ListJson;
