/**
 * Responsive images: for a featured image on ButterCMS's image CDN
 * (`https://cdn.buttercms.com/<handle>`), a `srcset` built from its
 * documented transformation URLs (`/resize=width:<w>/<handle>`), next to
 * `featured_image` (which is left as it is). Images elsewhere get `null`.
 */
const SRCSET_WIDTHS = [320, 640, 960, 1280, 1920] as const;

const BUTTER_CDN = /^https:\/\/cdn\.buttercms\.com\/([A-Za-z0-9_-]+)$/;

function srcsetFor(image: unknown): string | null {
  if (typeof image !== "string") return null;
  const handle = BUTTER_CDN.exec(image)?.[1];
  if (!handle) return null;
  return SRCSET_WIDTHS.map(
    (width) => `https://cdn.buttercms.com/resize=width:${width}/${handle} ${width}w`,
  ).join(", ");
}

/** The post as our API answers it: ButterCMS's fields, plus `featured_image_srcset`. */
export function withSrcset<T extends Record<string, unknown>>(
  post: T,
): T & { featured_image_srcset: string | null } {
  return { ...post, featured_image_srcset: srcsetFor(post.featured_image) };
}
