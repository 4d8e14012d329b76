// The baseline: the naive handler of the serverless guide this project grew
// from. One SDK call per request, the query passed through, the body passed
// through. No validation, no caching, no retries. Used only by `npm run bench`.
import type { Config } from "@netlify/functions";
import Butter from "buttercms";

const butter = Butter(process.env.BUTTERCMS_API_TOKEN as string);

export default async (req: Request): Promise<Response> => {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const response = await butter.post.list(params);
  return new Response(JSON.stringify(response.data), {
    headers: { "Content-Type": "application/json" },
  });
};

export const config: Config = { path: "/api/naive-posts" };
