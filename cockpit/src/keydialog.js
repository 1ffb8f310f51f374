/* keydialog.js - a new key, shown once: Copy, Save (NAME.key), and a Close
 * that works only after the user says they have the key. Escape and clicks
 * outside do nothing. When it closes the dialog leaves the document and the
 * page keeps no reference to the key: it is in no element, no variable of
 * the page, no URL and no browser storage. */
/* global cockpit */
import { h, button, alert } from "./dom.js";
import { openModal } from "./modal.js";

const _ = cockpit.gettext;

function copyText(field, text) {
    if (navigator.clipboard && window.isSecureContext)
        return navigator.clipboard.writeText(text).catch(() => copyBySelection(field));
    return Promise.resolve(copyBySelection(field));
}

function copyBySelection(field) {
    field.focus();
    field.select();
    const ok = document.execCommand("copy");
    field.setSelectionRange(0, 0);
    if (!ok)
        throw new Error(_("The browser refused to copy: select the key and copy it yourself."));
}

/* showKey(title, name, key) -> Promise resolved once the dialog is closed. */
export function showKey(title, name, key) {
    return new Promise(resolve => {
        let secret = key;
        let url = null;
        const field = h("input", {
            class: "pf-c-form-control apk-key", type: "text", readonly: true,
            value: secret, "aria-label": _("The new key"), id: "apk-new-key", spellcheck: "false",
        });
        const note = h("div", { class: "apk-note", "aria-live": "polite" });
        const copy = button(_("Copy"), "secondary", () => {
            copyText(field, secret).then(() => { note.textContent = _("Copied to the clipboard.") },
                                         ex => { note.textContent = ex.message });
        }, { id: "apk-copy" });
        const save = button(_("Save"), "secondary", () => {
            if (url)
                URL.revokeObjectURL(url);
            url = URL.createObjectURL(new Blob([secret + "\n"], { type: "application/octet-stream" }));
            const a = h("a", { href: url, download: name + ".key", style: "display:none" });
            document.body.appendChild(a);
            a.click();
            a.remove();
            note.textContent = cockpit.format(_("Saved as $0."), name + ".key");
        }, { id: "apk-save" });
        const confirm = h("input", { class: "pf-c-check__input", type: "checkbox", id: "apk-have-key" });
        const done = button(_("Close"), "primary", () => modal.close(), { id: "apk-close-key", disabled: true });
        confirm.addEventListener("change", () => { done.disabled = !confirm.checked });

        const modal = openModal({
            title,
            name: "new-key",
            variant: "md",
            dismissable: false,
            body: [
                alert("warning", _("This key is shown only once."),
                      _("Copy it or save it now. The system keeps only a one-way digest: a lost key cannot be shown again, only deleted and replaced.")),
                h("div", { class: "pf-c-input-group" }, field, copy, save),
                note,
                h("div", { class: "pf-c-check" }, confirm,
                  h("label", { class: "pf-c-check__label", for: "apk-have-key" },
                    _("I have copied or saved the key"))),
            ],
            footer: [done],
            onclose: () => {
                field.value = "";
                secret = null;
                if (url)
                    URL.revokeObjectURL(url);
                url = null;
                resolve();
            },
        });
        key = null;
    });
}
