/** The sample's webhook payloads against the schemas written from the webhook reference's examples. */
import { describe, expect, it } from "vitest";
import { publishedPosts, translatedPosts } from "../../sample/data.ts";
import {
  LOCALIZED_POST_WEBHOOK_EVENTS,
  localizedPostWebhook,
  POST_WEBHOOK_EVENTS,
  postWebhook,
  WEBHOOK_TARGET,
} from "../../sample/webhooks.ts";
import { schemaErrors } from "./butter-schemas.ts";

const slug = publishedPosts[3]!.slug;

describe("webhook payloads", () => {
  it.each(POST_WEBHOOK_EVENTS)("%s: { data: { id: <slug>, _id }, webhook: { event, target } }", (event) => {
    const payload = postWebhook(event, slug);
    expect(schemaErrors("postWebhook", payload)).toEqual([]);
    expect(payload.data.id).toBe(slug);
    expect(payload.webhook).toEqual({ event, target: WEBHOOK_TARGET });
  });

  it.each(LOCALIZED_POST_WEBHOOK_EVENTS)("%s: the same, with data.locale", (event) => {
    const payload = localizedPostWebhook(event, translatedPosts[0]!.slug, "es");
    expect(schemaErrors("localizedPostWebhook", payload)).toEqual([]);
    expect(payload.data.locale).toBe("es");
  });

  it("gives each post a stable numeric _id, another one to its translation, and takes a target and id", () => {
    expect(postWebhook("post.draft", slug).data._id).toBe(postWebhook("post.delete", slug).data._id);
    expect(localizedPostWebhook("post.localization.draft", slug, "es").data._id).not.toBe(
      postWebhook("post.draft", slug).data._id,
    );
    const custom = postWebhook("post.published", "a-new-post", { target: "https://x.example/hook", id: 42 });
    expect(custom).toEqual({
      data: { id: "a-new-post", _id: 42 },
      webhook: { event: "post.published", target: "https://x.example/hook" },
    });
  });

  it("refuses what the reference does not show: a locale on a plain post event, none on a localized one", () => {
    expect(schemaErrors("postWebhook", { ...postWebhook("post.published", slug), extra: 1 })).not.toEqual([]);
    const withoutLocale = {
      data: { id: slug, _id: 1 },
      webhook: { event: "post.localization.published", target: WEBHOOK_TARGET },
    };
    expect(schemaErrors("localizedPostWebhook", withoutLocale)).not.toEqual([]);
    const plainWithLocale = {
      data: { id: slug, _id: 1, locale: "es" },
      webhook: { event: "post.published", target: WEBHOOK_TARGET },
    };
    expect(schemaErrors("postWebhook", plainWithLocale)).not.toEqual([]);
  });
});
