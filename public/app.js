// @ts-check
// The blog frontend: plain ES module, no framework, no build step. Everything
// taken from the API goes into the page as text, except post bodies, which
// are the site editors' own HTML from ButterCMS.

/** A problem answer of the API (RFC 9457), or a network failure. */
class ApiProblem extends Error {
  /** @param {number} status @param {string} detail @param {string | undefined} code */
  constructor(status, detail, code) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<any>}
 */
async function api(path, init = {}) {
  let response;
  try {
    response = await fetch(path, { ...init, headers: { Accept: "application/json", ...init.headers } });
  } catch {
    throw new ApiProblem(0, "The blog could not be reached. Check your connection and try again.", undefined);
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiProblem(response.status, body?.detail ?? `The API answered ${response.status}.`, body?.code);
  }
  return body;
}

/**
 * Creates an element whose text is set as text, never as HTML.
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {(Node | string)[]} [children]
 */
function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "long" });
/** @param {string | null | undefined} iso */
const formatDate = (iso) => (iso ? dateFormat.format(new Date(iso)) : "");
/**
 * The badge of a post that is not published (previews only): "Draft", or
 * "Scheduled for <date>" from ButterCMS's `scheduled`; null when published.
 * @param {any} post
 * @returns {string | null}
 */
function unpublishedLabel(post) {
  if (post.status === "published") return null;
  if (post.status !== "scheduled") return "Draft";
  const when = formatDate(post.scheduled);
  return when ? `Scheduled for ${when}` : "Scheduled";
}
/** @param {any} author */
const authorName = (author) => (author ? `${author.first_name ?? ""} ${author.last_name ?? ""}`.trim() : "");

/**
 * @param {string} text
 * @param {"loading" | "empty" | "error" | ""} kind
 */
function setStatus(text, kind) {
  const status = byId("status");
  status.replaceChildren();
  status.removeAttribute("role");
  status.setAttribute("role", kind === "error" ? "alert" : "status");
  if (text) status.append(el("p", { class: `state ${kind}`, "data-state": kind }, [text]));
  byId("main").setAttribute("aria-busy", String(kind === "loading"));
}

/** @returns {Promise<boolean | null>} true/false, or null when previews are not available here */
async function previewSession() {
  try {
    const session = await api("/api/auth");
    return Boolean(session?.authenticated);
  } catch {
    return null;
  }
}

/** @param {boolean | null} previewing */
function renderPreviewControls(previewing) {
  const box = byId("preview");
  box.replaceChildren();
  if (previewing === null) return;
  if (previewing) {
    const signOut = el("button", { type: "button", class: "secondary", id: "sign-out" }, ["Sign out"]);
    signOut.addEventListener("click", async () => {
      await api("/api/auth", { method: "DELETE" }).catch(() => null);
      location.reload();
    });
    box.append(el("span", { id: "previewing" }, ["Previewing drafts"]), signOut);
    return;
  }
  const toggle = el(
    "button",
    { type: "button", class: "secondary", id: "preview-toggle", "aria-expanded": "false" },
    ["Preview drafts"],
  );
  const password = el("input", {
    type: "password",
    id: "preview-password",
    name: "password",
    required: "",
    autocomplete: "current-password",
  });
  const form = el("form", { id: "preview-form", hidden: "" }, [
    el("label", { for: "preview-password", class: "visually-hidden" }, ["Preview password"]),
    password,
    el("button", { type: "submit" }, ["Sign in"]),
  ]);
  const message = el("p", { id: "preview-message", role: "alert" });
  toggle.addEventListener("click", () => {
    form.hidden = !form.hidden;
    toggle.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) password.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    try {
      await api("/api/auth", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ password: /** @type {HTMLInputElement} */ (password).value }),
      });
      location.reload();
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : "Sign-in failed.";
    }
  });
  box.append(toggle, form, message);
}

// `sizes` for featured images: the width each layout in styles.css gives them
// (main is 60rem wide at most, less a padding of clamp(1rem, 4vw, 3rem) a side).
/** The hero on the post page: the content column. */
const HERO_SIZES = "(min-width: 960px) 880px, 92vw";
/** The home page cards: three columns on a wide screen, two on a medium one, else one. */
const CARD_SIZES = "(min-width: 960px) 280px, (min-width: 890px) 30vw, (min-width: 585px) 46vw, 92vw";
/** The thumbnails of the related posts (`.thumbnail`, 7rem). */
const THUMBNAIL_SIZES = "112px";

/**
 * The attributes of a post's featured image, or null when it has none. The
 * width and height are the sample covers' 1200×630, the ratio the CSS keeps
 * too, so the box is reserved before the image loads; `srcset` only when
 * the API sends `featured_image_srcset` (ButterCMS CDN images).
 * @param {any} post
 * @param {string} sizes
 * @param {string} alt
 * @returns {Record<string, string> | null}
 */
function featuredImageAttributes(post, sizes, alt) {
  if (typeof post.featured_image !== "string" || !post.featured_image) return null;
  /** @type {Record<string, string>} */
  const attributes = { alt, width: "1200", height: "630" };
  const srcset = post.featured_image_srcset;
  if (typeof srcset === "string" && srcset.trim()) {
    attributes.srcset = srcset;
    attributes.sizes = sizes;
  }
  attributes.src = post.featured_image;
  return attributes;
}

/**
 * A lazily loaded featured image in its fixed-ratio frame, or null when the
 * post has none.
 * @param {any} post
 * @param {string} sizes
 * @param {string} alt
 * @param {string} [frameClass]
 */
function featuredImage(post, sizes, alt, frameClass = "image-frame") {
  const attributes = featuredImageAttributes(post, sizes, alt);
  if (!attributes) return null;
  const image = el("img", { loading: "lazy", decoding: "async", ...attributes });
  // A decorative image that fails (a CDN out of reach) leaves the empty frame, not a broken-image icon.
  if (!alt) image.addEventListener("error", () => image.setAttribute("hidden", ""), { once: true });
  return el("span", { class: frameClass }, [image]);
}

/** @param {any} post */
function postCard(post) {
  const href = `/posts/${encodeURIComponent(post.slug)}`;
  const content = el("div", { class: "content" }, []);
  const label = unpublishedLabel(post);
  if (label) content.append(el("p", { class: "draft-badge", "data-status": post.status }, [label]));
  content.append(
    el("h2", {}, [el("a", { href }, [post.title ?? post.slug])]),
    el("p", { class: "meta" }, [
      [formatDate(post.published ?? post.updated), authorName(post.author)].filter(Boolean).join(" · "),
    ]),
    el("p", {}, [post.summary ?? ""]),
  );
  const card = el("article", { class: "card" }, []);
  const image = featuredImage(post, CARD_SIZES, post.featured_image_alt ?? "");
  if (image) card.append(image);
  card.append(content);
  return el("li", {}, [card]);
}

/**
 * @param {string} selectId
 * @param {string} path
 * @param {string | null} selected
 */
async function fillFilter(selectId, path, selected) {
  const select = /** @type {HTMLSelectElement} */ (byId(selectId));
  try {
    const { data } = await api(path);
    for (const term of data) select.append(el("option", { value: term.slug }, [term.name]));
    select.value = selected ?? "";
  } catch {
    select.disabled = true;
  }
}

async function renderHome() {
  const params = new URLSearchParams(location.search);
  const q = params.get("q");
  // Before any await: a word typed while the session is checked must not be overwritten.
  /** @type {HTMLInputElement} */ (byId("q")).value = q ?? "";
  const previewing = await previewSession();
  renderPreviewControls(previewing);
  fillFilter("category", "/api/categories", params.get("category"));
  fillFilter("tag", "/api/tags", params.get("tag"));

  const query = new URLSearchParams();
  for (const name of q ? ["q", "page"] : ["page", "category", "tag"]) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  if (!q && previewing) query.set("preview", "1");
  if (q) {
    byId("heading").textContent = `Search results for “${q}”`;
    byId("filters").hidden = true;
  }
  setStatus("Loading posts…", "loading");
  try {
    const list = await api(`${q ? "/api/search" : "/api/posts"}?${query}`);
    byId("posts").replaceChildren(...list.data.map(postCard));
    setStatus(
      list.data.length ? "" : q ? "No posts match your search." : "No posts here yet.",
      list.data.length ? "" : "empty",
    );
    renderPagination(params, list.meta);
  } catch (error) {
    setStatus(error instanceof Error ? error.message : "Something went wrong.", "error");
  }
}

/**
 * @param {URLSearchParams} params
 * @param {{ next_page: number | null, previous_page: number | null }} meta
 */
function renderPagination(params, meta) {
  const nav = byId("pagination");
  nav.replaceChildren();
  /** @param {number} page @param {string} label @param {string} rel */
  const link = (page, label, rel) => {
    const next = new URLSearchParams(params);
    next.set("page", String(page));
    return el("a", { href: `/?${next}`, rel }, [label]);
  };
  nav.append(meta.previous_page ? link(meta.previous_page, "← Newer posts", "prev") : el("span"));
  nav.append(meta.next_page ? link(meta.next_page, "Older posts →", "next") : el("span"));
}

async function renderPost() {
  const fromPath = location.pathname.match(/^\/posts\/([^/]+)\/?$/)?.[1];
  const slug = fromPath ? decodeURIComponent(fromPath) : new URLSearchParams(location.search).get("slug");
  const previewing = await previewSession();
  renderPreviewControls(previewing);
  if (!slug) {
    showMissingPost();
    return;
  }
  setStatus("Loading the post…", "loading");
  try {
    const { data: post, meta } = await api(
      `/api/posts/${encodeURIComponent(slug)}${previewing ? "?preview=1" : ""}`,
    );
    setStatus("", "");
    document.title = `${post.title} · Blog`;
    byId("title").textContent = post.title;
    const label = unpublishedLabel(post);
    const badge = byId("draft");
    badge.hidden = label === null;
    badge.textContent = label ?? "";
    badge.dataset.status = post.status;
    byId("byline").textContent = [authorName(post.author), formatDate(post.published ?? post.updated)]
      .filter(Boolean)
      .join(" · ");
    const attributes = featuredImageAttributes(post, HERO_SIZES, post.featured_image_alt ?? "");
    if (attributes) {
      const image = byId("featured");
      for (const [name, value] of Object.entries(attributes)) image.setAttribute(name, value);
      byId("featured-frame").hidden = false;
    } else {
      byId("featured-frame").remove();
    }
    // The body is CMS HTML written by the site's editors: rendered as HTML on purpose.
    byId("body").innerHTML = post.body ?? "";
    const terms = [...(post.categories ?? []), ...(post.tags ?? [])].map((term) => term.name);
    byId("terms").textContent = terms.length ? `Filed under: ${terms.join(", ")}` : "";
    byId("post").hidden = false;
    const nav = byId("neighbours");
    nav.replaceChildren(
      meta?.previous_post
        ? el("a", { href: `/posts/${encodeURIComponent(meta.previous_post.slug)}`, rel: "prev" }, [
            `← ${meta.previous_post.title}`,
          ])
        : el("span"),
      meta?.next_post
        ? el("a", { href: `/posts/${encodeURIComponent(meta.next_post.slug)}`, rel: "next" }, [
            `${meta.next_post.title} →`,
          ])
        : el("span"),
    );
    // Not awaited: the related posts never hold up the post, and their failure is their own.
    renderRelated(post.slug ?? slug, Boolean(previewing));
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 404 || error.status === 400)) showMissingPost();
    else setStatus(error instanceof Error ? error.message : "Something went wrong.", "error");
  }
}

/**
 * The "Related posts" section, filled after the post is shown, with its own
 * loading, empty and error states. A 404 (an unknown post, or a backend
 * without the endpoint) hides the section; other failures leave a quiet note.
 * @param {string} slug
 * @param {boolean} previewing
 */
async function renderRelated(slug, previewing) {
  const section = byId("related");
  const list = byId("related-list");
  const status = byId("related-status");
  /** @param {string} text @param {"loading" | "empty" | "error" | ""} kind */
  const note = (text, kind) => {
    status.replaceChildren();
    if (text) status.append(el("p", { class: `related-state ${kind}`, "data-state": kind }, [text]));
    section.setAttribute("aria-busy", String(kind === "loading"));
  };
  list.replaceChildren();
  section.hidden = false;
  note("Loading related posts…", "loading");
  const query = new URLSearchParams({ limit: "3" });
  if (previewing) query.set("preview", "1");
  try {
    const body = await api(`/api/posts/${encodeURIComponent(slug)}/related?${query}`);
    if (!Array.isArray(body?.data)) throw new Error("The related posts came in an unexpected shape.");
    // The API never lists the post itself; a stale or odd answer should not either.
    const posts = body.data.filter((/** @type {any} */ post) => post?.slug && post.slug !== slug);
    list.replaceChildren(...posts.map(relatedItem));
    note(posts.length ? "" : "No related posts yet.", posts.length ? "" : "empty");
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) {
      section.hidden = true;
      note("", "");
    } else {
      note("Related posts could not be loaded right now.", "error");
    }
  }
}

/** @param {any} post */
function relatedItem(post) {
  const link = el("a", { href: `/posts/${encodeURIComponent(post.slug)}` }, []);
  // Decorative next to the title, which names the link: alt="".
  const frame = "image-frame thumbnail";
  link.append(featuredImage(post, THUMBNAIL_SIZES, "", frame) ?? el("span", { class: frame }));
  const text = el("span", { class: "related-text" }, [
    el("span", { class: "related-title" }, [post.title ?? post.slug]),
  ]);
  const date = formatDate(post.published);
  if (date) text.append(el("span", { class: "meta" }, [date]));
  link.append(text);
  return el("li", {}, [link]);
}

function showMissingPost() {
  setStatus("", "");
  document.title = "Post not found · Blog";
  byId("title").textContent = "Post not found";
  byId("byline").textContent = "There is no published post at this address.";
  byId("post").hidden = false;
}

const page = document.body.dataset.page;
(page === "post" ? renderPost() : renderHome()).catch((error) => {
  setStatus(error instanceof Error ? error.message : "Something went wrong.", "error");
});
