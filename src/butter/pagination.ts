/**
 * Pages past the end. ButterCMS answers them with a 404 ("Invalid page "3":
 * That page contains no results.", Django REST framework's paginator); the
 * contract wants `200` with `data: []`. The count comes from page 1 (one
 * more call, cached like any other), so the answer still links back to the
 * last page.
 */

import { ButterFailure } from "./failure.ts";
import type { PostList } from "./types.ts";

export async function pageOrPastTheEnd(
  page: number,
  pageSize: number,
  load: (page: number) => Promise<PostList>,
): Promise<PostList> {
  try {
    return await load(page);
  } catch (error) {
    if (!(error instanceof ButterFailure && error.upstreamStatus === 404 && page > 1)) throw error;
    return pastTheEnd((await load(1)).meta.count, pageSize);
  }
}

/** The answer for a page past the end: no posts, and a link back to the last page. */
export function pastTheEnd(count: number, pageSize: number): PostList {
  const lastPage = Math.ceil(count / pageSize);
  return { meta: { count, next_page: null, previous_page: lastPage >= 1 ? lastPage : null }, data: [] };
}
