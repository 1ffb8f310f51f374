/* app.js - the "API keys" page: the table of keys and what can be done to
 * them, every change made by running apikeyctl (ctl.js). */
/* global cockpit */
import { h, fill, button, alert, field, input } from "./dom.js";
import * as ctl from "./ctl.js";
import * as fmt from "./format.js";
import { openModal } from "./modal.js";
import { showKey } from "./keydialog.js";

const _ = cockpit.gettext;

const state = {
    keys: [],
    loaded: false,
    policy: null,
    policyError: null,
    sort: { column: "created", ascending: true },
    selected: new Set(), /* ids */
    editing: null,       /* the id of the row edited in place */
    me: null,            /* the logged-in user's name */
    admin: false,        /* Cockpit's administrative access is on */
};

const root = h("div", { class: "apk-page" });
const alerts = h("div", { class: "apk-alerts", id: "apk-alerts" });
const toolbar = h("div", { class: "pf-c-toolbar" });
const content = h("div", { class: "apk-card" });

/* ---- errors --------------------------------------------------------- */

function showError(ex) {
    fill(alerts, alert("danger", _("The command failed"), ctl.message(ex)));
}

function clearError() {
    fill(alerts);
}

/* ---- loading -------------------------------------------------------- */

function reload() {
    return Promise.all([
        ctl.listKeys(),
        ctl.policy().then(p => { state.policy = p; state.policyError = null },
                          ex => { state.policy = null; state.policyError = ctl.message(ex) }),
    ]).then(([keys]) => {
        state.keys = keys;
        state.loaded = true;
        const ids = new Set(keys.map(k => k.id));
        for (const id of Array.from(state.selected))
            if (!ids.has(id))
                state.selected.delete(id);
        if (state.editing && !ids.has(state.editing))
            state.editing = null;
        render();
    }, ex => {
        state.keys = [];
        state.loaded = true;
        render();
        showError(ex);
    });
}

/* After a change: the error or nothing, then the table as it now is. */
function change(promise) {
    return promise.then(() => { clearError(); return reload() },
                        ex => { showError(ex); return reload() });
}

/* ---- sorting -------------------------------------------------------- */

const columns = [
    { id: "name", label: _("Name"), key: k => k.name.toLowerCase() },
    { id: "id", label: _("ID"), key: k => k.id },
    { id: "description", label: _("Description"), key: k => k.description.toLowerCase() },
    { id: "created", label: _("Created"), key: k => k.created },
    { id: "status", label: _("Status"), key: k => fmt.statusRank(k, Date.now()) + (k.expires || "") },
    { id: "last_used", label: _("Last used"), key: k => (k.last_used ? k.last_used.time : "") },
    { id: "services", label: _("Services"), key: k => k.services.join(",") },
    { id: "from", label: _("Networks"), key: k => k.from.join(",") },
];

function sortedKeys() {
    const col = columns.find(c => c.id === state.sort.column) || columns[3];
    const keys = state.keys.slice();
    keys.sort((a, b) => {
        const x = col.key(a);
        const y = col.key(b);
        const d = x < y ? -1 : x > y ? 1 : 0;
        return state.sort.ascending ? d : -d;
    });
    return keys;
}

function sortHeader(col) {
    const active = state.sort.column === col.id;
    const dir = active ? (state.sort.ascending ? "ascending" : "descending") : "none";
    return h("th", { class: "pf-c-table__sort" + (active ? " pf-m-selected" : ""), "aria-sort": dir, scope: "col", "data-column": col.id },
             h("button", {
                 class: "pf-c-table__button", type: "button",
                 onclick: () => {
                     if (active)
                         state.sort.ascending = !state.sort.ascending;
                     else
                         state.sort = { column: col.id, ascending: true };
                     render();
                 }
             },
               h("div", { class: "pf-c-table__button-content" },
                 h("span", { class: "pf-c-table__text" }, col.label),
                 h("span", { class: "pf-c-table__sort-indicator" }, active ? (state.sort.ascending ? "▲" : "▼") : "⇅"))));
}

/* ---- the table ------------------------------------------------------ */

function selectBox(id, label) {
    return h("input", {
        type: "checkbox", "aria-label": label, checked: state.selected.has(id),
        onchange: ev => {
            if (ev.target.checked)
                state.selected.add(id);
            else
                state.selected.delete(id);
            renderToolbar();
        }
    });
}

function row(key) {
    if (state.editing === key.id)
        return editRow(key);
    const now = Date.now();
    return h("tr", { "data-key": key.id },
             h("td", { class: "pf-c-table__check" }, selectBox(key.id, cockpit.format(_("Select $0"), key.name))),
             h("td", { "data-label": _("Name"), "data-field": "name" }, key.name),
             h("td", { "data-label": _("ID"), "data-field": "id", class: "apk-key" }, key.id),
             h("td", { "data-label": _("Description"), "data-field": "description" }, key.description),
             h("td", { "data-label": _("Created"), "data-field": "created" }, fmt.when(key.created)),
             h("td", { "data-label": _("Status"), "data-field": "status" }, fmt.status(key, now)),
             h("td", { "data-label": _("Last used"), "data-field": "last_used" }, fmt.lastUsed(key)),
             h("td", { "data-label": _("Services"), "data-field": "services" }, fmt.services(key)),
             h("td", { "data-label": _("Networks"), "data-field": "from" }, fmt.networks(key)),
             h("td", { class: "pf-c-table__action" },
               h("div", { class: "pf-l-flex pf-m-nowrap pf-m-space-items-sm" },
                 button(_("Edit"), "link", () => { state.editing = key.id; clearError(); render() }, { "data-action": "edit" }),
                 key.disabled
                     ? button(_("Enable"), "link", () => change(ctl.run(["enable", "--", key.id])), { "data-action": "enable" })
                     : button(_("Disable"), "link", () => change(ctl.run(["disable", "--", key.id])), { "data-action": "disable" }),
                 button(_("Rotate"), "link", () => rotateDialog(key), { "data-action": "rotate" }),
                 button(_("Delete"), "link pf-m-danger", () => deleteDialog([key]), { "data-action": "delete" }))));
}

/* A row edited in place: only what changed is passed to `apikeyctl edit`. */
function editRow(key) {
    const name = input({ value: key.name, "aria-label": _("Name"), name: "name" });
    const desc = input({ value: key.description, "aria-label": _("Description"), name: "description" });
    const expires = input({ value: "", "aria-label": _("Expires"), name: "expires",
                            placeholder: key.expires ? key.expires.slice(0, 10) : _("never") });
    const services = input({ value: key.services.join(","), "aria-label": _("Services"), name: "services", placeholder: _("all") });
    const from = input({ value: key.from.join(","), "aria-label": _("Networks"), name: "from", placeholder: _("any") });
    const save = () => {
        const args = ["edit"];
        if (name.value !== key.name)
            args.push("--name=" + name.value);
        if (desc.value !== key.description)
            args.push("--description=" + desc.value);
        if (expires.value.trim() !== "")
            args.push("--expires=" + expires.value.trim());
        if (services.value.replace(/\s/g, "") !== key.services.join(","))
            args.push("--service=" + (services.value.replace(/\s/g, "") || "all"));
        if (from.value.replace(/\s/g, "") !== key.from.join(","))
            args.push("--from=" + (from.value.replace(/\s/g, "") || "any"));
        if (args.length === 1) {
            state.editing = null;
            render();
            return;
        }
        args.push("--", key.id);
        ctl.run(args).then(() => { state.editing = null; clearError(); return reload() },
                           ex => showError(ex));
    };
    const onEnter = ev => { if (ev.key === "Enter") save() };
    for (const el of [name, desc, expires, services, from])
        el.addEventListener("keydown", onEnter);
    return h("tr", { "data-key": key.id, class: "pf-m-inline-editable" },
             h("td", {}),
             h("td", { "data-label": _("Name") }, name),
             h("td", { "data-label": _("ID"), class: "apk-key" }, key.id),
             h("td", { "data-label": _("Description") }, desc),
             h("td", { "data-label": _("Created") }, fmt.when(key.created)),
             h("td", { "data-label": _("Status") }, fmt.status(key, Date.now()), h("br"), expires,
               h("div", { class: "apk-muted" }, _("New expiry: never, 30d, 12h, YYYY-MM-DD"))),
             h("td", { "data-label": _("Last used") }, fmt.lastUsed(key)),
             h("td", { "data-label": _("Services") }, services),
             h("td", { "data-label": _("Networks") }, from),
             h("td", { class: "pf-c-table__action" },
               h("div", { class: "pf-l-flex pf-m-nowrap pf-m-space-items-sm" },
                 button(_("Save"), "primary", save, { "data-action": "save" }),
                 button(_("Cancel"), "link", () => { state.editing = null; render() }, { "data-action": "cancel" }))));
}

function emptyState() {
    return h("div", { class: "pf-c-empty-state", id: "apk-empty" },
             h("div", { class: "pf-c-empty-state__content" },
               h("h2", { class: "pf-c-title pf-m-lg" }, _("No API keys")),
               h("div", { class: "pf-c-empty-state__body" },
                 h("p", {}, _("An API key logs you in wherever this machine uses PAM with pam_apikey (ssh, su, sudo, or a program of your own) in place of your password. Give each script, job or device its own key, and delete it when it is no longer needed.")),
                 h("p", {}, _("A key is shown once, when it is generated. Save it in a file only you can read, then use it with ssh:")),
                 h("code", { class: "apk-example" },
                   "SSHPASS=$(cat key-1.key) sshpass -e ssh " + (ctl.currentAccount() || state.me || "user") + "@" + window.location.hostname)),
               button(_("Generate key"), "primary", generateDialog, { id: "apk-generate-empty" })));
}

function table() {
    const all = state.keys.length > 0 && state.keys.every(k => state.selected.has(k.id));
    return h("table", { class: "pf-c-table pf-m-compact pf-m-grid-md apk-table", role: "grid", id: "apk-keys", "aria-label": _("API keys") },
             h("thead", {},
               h("tr", {},
                 h("th", { class: "pf-c-table__check" },
                   h("input", {
                       type: "checkbox", "aria-label": _("Select all"), checked: all,
                       onchange: ev => {
                           state.selected = new Set(ev.target.checked ? state.keys.map(k => k.id) : []);
                           render();
                       }
                   })),
                 columns.map(sortHeader),
                 h("td", {}))),
             h("tbody", {}, sortedKeys().map(row)));
}

/* ---- toolbar -------------------------------------------------------- */

/* The Account field is made once and kept across renders, so that what is
 * typed in it survives a reload of the table. */
let picker = null;

function ownerPicker() {
    if (!state.admin)
        return null;
    if (picker)
        return picker;
    const who = input({ value: "", placeholder: state.me || "", id: "apk-account", "aria-label": _("Account") });
    const show = () => {
        const name = who.value.trim();
        ctl.setAccount(name === "" || name === state.me ? null : name);
        state.selected.clear();
        state.editing = null;
        clearError();
        reload();
    };
    who.addEventListener("keydown", ev => { if (ev.key === "Enter") show() });
    picker = h("div", { class: "pf-c-toolbar__item apk-owner" },
               h("label", { for: "apk-account" }, _("Account")), who,
               button(_("Show"), "secondary", show, { id: "apk-account-show" }));
    return picker;
}

function renderToolbar() {
    const n = state.selected.size;
    const policyLine = state.policyError
        ? state.policyError
        : state.policy
            ? cockpit.format(_("Administrator's limits: $0 keys, $1."), state.policy.max_keys,
                             state.policy.max_lifetime ? cockpit.format(_("at most $0 days each"), state.policy.max_lifetime)
                                 : _("no maximum lifetime"))
            : "";
    fill(toolbar,
         h("div", { class: "pf-c-toolbar__content" },
           h("div", { class: "pf-c-toolbar__content-section" },
             h("div", { class: "pf-c-toolbar__item" },
               button(_("Generate key"), "primary", generateDialog, { id: "apk-generate" })),
             h("div", { class: "pf-c-toolbar__item" },
               button(n ? cockpit.format(_("Delete $0 selected"), n) : _("Delete selected"), "danger",
                      () => deleteDialog(state.keys.filter(k => state.selected.has(k.id))),
                      { id: "apk-delete-selected", disabled: n === 0 })),
             ownerPicker(),
             h("div", { class: "pf-c-toolbar__item apk-muted", id: "apk-policy" }, policyLine))));
}

function render() {
    renderToolbar();
    if (!state.loaded)
        fill(content, h("p", { class: "apk-muted" }, _("Loading...")));
    else if (state.keys.length === 0)
        fill(content, emptyState());
    else
        fill(content, table());
}

/* ---- dialogs -------------------------------------------------------- */

function dialogError(where, ex) {
    fill(where, alert("danger", _("The command failed"), ctl.message(ex)));
}

function suggestName() {
    const names = new Set(state.keys.map(k => k.name));
    let i = 1;
    while (names.has("key-" + i))
        i++;
    return "key-" + i;
}

function expiryHelp() {
    const p = state.policy;
    const forms = _("never, a duration (30d, 12h, 2w), YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).");
    if (!p)
        return forms;
    const dflt = p.default_lifetime ? cockpit.format(_("$0 days"), p.default_lifetime) : _("never");
    const max = p.max_lifetime ? cockpit.format(_("The administrator's maximum is $0 days."), p.max_lifetime)
        : _("The administrator sets no maximum.");
    return cockpit.format(_("Empty: the default ($0). $1 $2"), dflt, max, forms);
}

function generateDialog() {
    const errors = h("div", {});
    const name = input({ value: suggestName(), id: "apk-gen-name", name: "name" });
    const desc = input({ value: "", id: "apk-gen-description", name: "description" });
    const expires = input({ value: "", id: "apk-gen-expires", name: "expires",
                            placeholder: state.policy && state.policy.default_lifetime ? state.policy.default_lifetime + "d" : "never" });
    const services = input({ value: "", id: "apk-gen-services", name: "services",
                             placeholder: state.policy && state.policy.services.length ? state.policy.services.join(",") : "all" });
    const from = input({ value: "", id: "apk-gen-from", name: "from", placeholder: "any" });
    const go = button(_("Generate"), "primary", () => {
        const keyName = name.value.trim() || suggestName();
        const args = ["generate", "-q", "--name=" + keyName];
        if (desc.value !== "")
            args.push("--description=" + desc.value);
        if (expires.value.trim() !== "")
            args.push("--expires=" + expires.value.trim());
        if (services.value.trim() !== "")
            args.push("--service=" + services.value.replace(/\s/g, ""));
        if (from.value.trim() !== "")
            args.push("--from=" + from.value.replace(/\s/g, ""));
        go.disabled = true;
        ctl.run(args).then(out => {
            const key = ctl.readKey(out);
            out = null;
            modal.close();
            clearError();
            reload();
            return showKey(_("Your new API key"), keyName, key);
        }).catch(ex => {
            go.disabled = false;
            dialogError(errors, ex);
        });
    }, { id: "apk-gen-submit" });
    const modal = openModal({
        title: _("Generate an API key"),
        name: "generate",
        dismissable: true,
        body: [errors, h("form", { class: "pf-c-form", onsubmit: ev => { ev.preventDefault(); go.click() } },
                         field(_("Name"), name, _("1 to 64 of A-Z a-z 0-9 . _ -")),
                         field(_("Description"), desc),
                         field(_("Expires"), expires, expiryHelp()),
                         field(_("Services"), services, _("PAM services, comma-separated (sshd,sudo); empty: the administrator's default")),
                         field(_("Networks"), from, _("Addresses or networks, comma-separated (192.0.2.0/24); empty: anywhere")))],
        footer: [go, button(_("Cancel"), "link", () => modal.close())],
    });
}

function rotateDialog(key) {
    const errors = h("div", {});
    const overlap = input({ value: "", id: "apk-rot-overlap", placeholder: "7d" });
    const go = button(_("Rotate"), "primary", () => {
        const args = ["rotate", "-q"];
        if (overlap.value.trim() !== "")
            args.push("--overlap=" + overlap.value.trim());
        args.push("--", key.id);
        go.disabled = true;
        ctl.run(args).then(out => {
            const newKey = ctl.readKey(out);
            out = null;
            modal.close();
            clearError();
            reload();
            return showKey(cockpit.format(_("The new key for $0"), key.name), key.name, newKey);
        }).catch(ex => {
            go.disabled = false;
            dialogError(errors, ex);
        });
    }, { id: "apk-rot-submit" });
    const modal = openModal({
        title: cockpit.format(_("Rotate $0"), key.name),
        name: "rotate",
        dismissable: true,
        body: [errors,
               h("p", {}, cockpit.format(_("A new key takes the name, description, services and networks of $0 and is shown once. The old key is renamed $0.old and stops working now, or after the overlap."), key.name)),
               h("form", { class: "pf-c-form", onsubmit: ev => { ev.preventDefault(); go.click() } },
                 field(_("Overlap"), overlap, _("How long the old key keeps working: empty for not at all, or 30m, 12h, 7d.")))],
        footer: [go, button(_("Cancel"), "link", () => modal.close())],
    });
}

function deleteDialog(keys) {
    if (keys.length === 0)
        return;
    const errors = h("div", {});
    const go = button(cockpit.format(cockpit.ngettext("Delete $0 key", "Delete $0 keys", keys.length), keys.length), "danger", () => {
        go.disabled = true;
        ctl.run(["delete", "--yes", "--"].concat(keys.map(k => k.id))).then(() => {
            modal.close();
            for (const k of keys)
                state.selected.delete(k.id);
            clearError();
            reload();
        }, ex => {
            go.disabled = false;
            dialogError(errors, ex);
        });
    }, { id: "apk-del-submit" });
    const modal = openModal({
        title: cockpit.ngettext("Delete this key?", "Delete these keys?", keys.length),
        name: "delete",
        variant: "sm",
        dismissable: true,
        body: [errors,
               h("p", {}, _("Every later login with them is refused. This cannot be undone.")),
               h("ul", { class: "pf-c-list", id: "apk-del-names" },
                 keys.map(k => h("li", {}, k.name + " (" + k.id + ")")))],
        footer: [go, button(_("Cancel"), "link", () => modal.close())],
    });
}

/* ---- start ---------------------------------------------------------- */

function start() {
    document.title = _("API keys");
    root.appendChild(h("h1", { class: "pf-c-title pf-m-2xl" }, _("API keys")));
    root.appendChild(alerts);
    root.appendChild(toolbar);
    root.appendChild(content);
    document.getElementById("app").appendChild(root);
    render();
    cockpit.user().then(u => {
        state.me = u.name;
        if (picker)
            picker.querySelector("input").placeholder = u.name;
        render();
    });
    /* Cockpit's administrative access: manage another account's keys */
    const permission = cockpit.permission({ admin: true });
    const onPermission = () => {
        state.admin = !!permission.allowed;
        if (!state.admin && ctl.currentAccount() !== null) {
            ctl.setAccount(null);
            reload();
        }
        render();
    };
    permission.addEventListener("changed", onPermission);
    onPermission();
    reload();
    /* keys change elsewhere too (a login records its last use, apikeyctl in
     * a terminal): look again now and then, never under an open dialog or
     * a row being edited */
    window.setInterval(() => {
        if (state.editing === null && !document.querySelector(".pf-c-backdrop") && !document.hidden)
            reload();
    }, 30000);
}

document.addEventListener("DOMContentLoaded", () => {
    cockpit.translate();
    start();
});
