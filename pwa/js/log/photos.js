/** The photos field of the log's forms: choose from the gallery (several at once) or take one
 * with the camera (a separate button, so the camera is never forced), thumbnails with a
 * remove button, and any number of photos per record, e.g. every page of a pay stub. A removed
 * photo only leaves this record: the journal keeps what was stored (it is append-only). */
import { h } from "../ui.js";
import { addPhoto, photoBlob } from "./store.js";
import { shrinkPhoto } from "./photo.js";

/** `state[f.name]` holds the record's photo ids; `persist` saves the form's draft. */
export function photosControl(ctx, f, state, persist, id) {
  const { t } = ctx;
  const msg = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const thumbs = h("ul", { class: "thumbs" });
  const urls = [];
  const ids = () => state[f.name] || [];
  let drawn = 0;
  const draw = async () => {
    const mine = ++drawn;
    const items = [];
    const fresh = [];
    for (const [i, pid] of ids().entries()) {
      const blob = await photoBlob(pid).catch(() => null);
      const url = blob ? URL.createObjectURL(blob) : null;
      if (url) fresh.push(url);
      const label = t("log.photos.page", { n: i + 1, total: ids().length });
      items.push(h("li", { class: "thumb", "data-photo": pid },
        url ? h("img", { src: url, alt: label, width: 72, height: 72 }) : h("span", null, "🖼"),
        h("span", null, label),
        h("button", { type: "button", class: "button secondary", "aria-label": t("log.photos.removeOne", { n: i + 1 }), onclick: async () => {
          state[f.name] = ids().filter((x) => x !== pid);
          persist();
          await draw();
          msg.textContent = t("log.photos.removed");
        } }, "✕ ", t("log.photos.remove"))));
    }
    // A later redraw wins; object URLs of the thumbnails replaced are released.
    if (mine !== drawn) { fresh.forEach((u) => URL.revokeObjectURL(u)); return; }
    urls.splice(0).forEach((u) => URL.revokeObjectURL(u));
    urls.push(...fresh);
    thumbs.replaceChildren(...items);
  };
  const add = async (input) => {
    const files = [...(input.files || [])];
    input.value = "";
    for (const file of files) {
      try {
        const photo = await addPhoto(await shrinkPhoto(file));
        state[f.name] = [...ids(), photo.id];
        msg.textContent = t("log.form.photoAdded", { size: Math.round(photo.size_bytes / 1024) });
        persist();
      } catch (_) {
        msg.textContent = t("log.form.photoError");
      }
    }
    await draw();
  };
  // The gallery input has no `capture`, so the phone offers its files and its camera.
  const gallery = h("input", { type: "file", id, accept: "image/*", multiple: true, "data-photo-input": "gallery" });
  const camera = h("input", { type: "file", id: `${id}-camera`, accept: "image/*", capture: "environment", "data-photo-input": "camera" });
  gallery.addEventListener("change", () => add(gallery));
  camera.addEventListener("change", () => add(camera));
  draw();
  const control = h("div", { class: "photos" },
    h("p", { class: "muted" }, t("log.photos.help")), gallery,
    h("label", { for: `${id}-camera`, class: "photo-camera" }, "📷 ", t("log.photos.camera")), camera, thumbs, msg);
  return { control, input: gallery };
}
