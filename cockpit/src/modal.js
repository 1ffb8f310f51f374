/* modal.js - PatternFly modal dialogs. A dialog is removed from the
 * document when it closes, with everything it showed. */
import { h, uid } from "./dom.js";

/* openModal({ title, body: [nodes], footer: [nodes], dismissable, variant })
 * -> { el, close() }. dismissable: Escape closes it (never for a dialog
 * that shows a key). */
export function openModal(opts) {
    const titleId = uid("modal-title");
    const box = h("div", {
        class: "pf-c-modal-box apk-modal pf-m-" + (opts.variant || "md"),
        role: "dialog", "aria-modal": "true", "aria-labelledby": titleId,
        "data-dialog": opts.name || null,
    },
                  h("header", { class: "pf-c-modal-box__header" },
                    h("h1", { class: "pf-c-modal-box__title", id: titleId }, opts.title)),
                  h("div", { class: "pf-c-modal-box__body" }, opts.body),
                  h("footer", { class: "pf-c-modal-box__footer" }, opts.footer));
    const backdrop = h("div", { class: "pf-c-backdrop" }, h("div", { class: "pf-l-bullseye" }, box));
    let closed = false;
    const onKey = ev => {
        if (ev.key !== "Escape")
            return;
        ev.preventDefault();
        ev.stopPropagation();
        if (opts.dismissable)
            close();
    };
    function close() {
        if (closed)
            return;
        closed = true;
        document.removeEventListener("keydown", onKey, true);
        backdrop.remove();
        if (opts.onclose)
            opts.onclose();
    }
    document.addEventListener("keydown", onKey, true);
    document.body.appendChild(backdrop);
    const first = box.querySelector("input, textarea, button:not([disabled])");
    if (first)
        first.focus();
    return { el: box, close };
}
