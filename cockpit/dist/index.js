(() => {
  // src/dom.js
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === void 0 || value === null || value === false)
        continue;
      if (name.startsWith("on"))
        el.addEventListener(name.slice(2), value);
      else if (name === "value")
        el.value = value;
      else if (name === "checked")
        el.checked = !!value;
      else
        el.setAttribute(name, value === true ? "" : String(value));
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children) {
      if (c === void 0 || c === null || c === false)
        continue;
      if (Array.isArray(c))
        append(el, c);
      else if (c instanceof Node)
        el.appendChild(c);
      else
        el.appendChild(document.createTextNode(String(c)));
    }
  }
  function fill(el, ...children) {
    while (el.firstChild)
      el.removeChild(el.firstChild);
    append(el, children);
    return el;
  }
  var seq = 0;
  function uid(prefix) {
    seq += 1;
    return prefix + "-" + seq;
  }
  function button(label, variant, onclick, attrs) {
    return h("button", Object.assign({ class: "pf-c-button pf-m-" + variant, type: "button", onclick }, attrs || {}), label);
  }
  function alert(kind, title, text) {
    return h(
      "div",
      { class: "pf-c-alert pf-m-inline pf-m-" + kind, role: "alert" },
      h("p", { class: "pf-c-alert__title" }, title),
      text ? h("div", { class: "pf-c-alert__description" }, text) : null
    );
  }
  function field(label, control, helper) {
    if (!control.id)
      control.id = uid("f");
    return h(
      "div",
      { class: "pf-c-form__group" },
      h(
        "div",
        { class: "pf-c-form__group-label" },
        h(
          "label",
          { class: "pf-c-form__label", for: control.id },
          h("span", { class: "pf-c-form__label-text" }, label)
        )
      ),
      h(
        "div",
        { class: "pf-c-form__group-control" },
        control,
        helper ? h("p", { class: "pf-c-form__helper-text" }, helper) : null
      )
    );
  }
  function input(attrs) {
    return h("input", Object.assign({ class: "pf-c-form-control", type: "text" }, attrs || {}));
  }

  // src/ctl.js
  var account = null;
  function setAccount(name) {
    account = name || null;
  }
  function currentAccount() {
    return account;
  }
  function message(ex) {
    const text = ex && (ex.message || ex.problem) || String(ex);
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    return lines.length ? lines[lines.length - 1] : text;
  }
  function run(args) {
    const argv = ["apikeyctl"];
    if (account !== null)
      argv.push("--user", account);
    const opts = { err: "message" };
    if (account !== null)
      opts.superuser = "require";
    return new Promise((resolve, reject) => {
      cockpit.spawn(argv.concat(args), opts).then(resolve, reject);
    });
  }
  function listKeys() {
    return run(["list", "--json"]).then((out) => JSON.parse(out));
  }
  function policy() {
    return run(["policy", "--json"]).then((out) => JSON.parse(out));
  }
  function readKey(out) {
    const key = out.trim();
    if (!/^apk_[A-Za-z0-9_-]{64}$/.test(key))
      throw new Error(cockpit.gettext("apikeyctl printed no key"));
    return key;
  }

  // src/format.js
  var _ = cockpit.gettext;
  function when(iso) {
    if (!iso)
      return "";
    return iso.replace("T", " ").replace(/:\d\dZ$/, "");
  }
  function status(key, now) {
    if (key.disabled)
      return _("disabled");
    if (key.expires === null)
      return _("active");
    if (Date.parse(key.expires) <= now)
      return _("expired");
    return cockpit.format(_("expires $0"), key.expires.slice(0, 10));
  }
  function statusRank(key, now) {
    if (key.disabled)
      return 3;
    if (key.expires !== null && Date.parse(key.expires) <= now)
      return 2;
    return key.expires === null ? 0 : 1;
  }
  function lastUsed(key) {
    const u = key.last_used;
    if (!u)
      return _("never");
    return [when(u.time), u.service, u.rhost].filter((x) => x).join(", ");
  }
  function services(key) {
    return key.services.length ? key.services.join(", ") : _("all");
  }
  function networks(key) {
    return key.from.length ? key.from.join(", ") : _("any");
  }

  // src/modal.js
  function openModal(opts) {
    const titleId = uid("modal-title");
    const box = h(
      "div",
      {
        class: "pf-c-modal-box apk-modal pf-m-" + (opts.variant || "md"),
        role: "dialog",
        "aria-modal": "true",
        "aria-labelledby": titleId,
        "data-dialog": opts.name || null
      },
      h(
        "header",
        { class: "pf-c-modal-box__header" },
        h("h1", { class: "pf-c-modal-box__title", id: titleId }, opts.title)
      ),
      h("div", { class: "pf-c-modal-box__body" }, opts.body),
      h("footer", { class: "pf-c-modal-box__footer" }, opts.footer)
    );
    const backdrop = h("div", { class: "pf-c-backdrop" }, h("div", { class: "pf-l-bullseye" }, box));
    let closed = false;
    const onKey = (ev) => {
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

  // src/keydialog.js
  var _2 = cockpit.gettext;
  function copyText(field2, text) {
    if (navigator.clipboard && window.isSecureContext)
      return navigator.clipboard.writeText(text).catch(() => copyBySelection(field2));
    return Promise.resolve(copyBySelection(field2));
  }
  function copyBySelection(field2) {
    field2.focus();
    field2.select();
    const ok = document.execCommand("copy");
    field2.setSelectionRange(0, 0);
    if (!ok)
      throw new Error(_2("The browser refused to copy: select the key and copy it yourself."));
  }
  function showKey(title, name, key) {
    return new Promise((resolve) => {
      let secret = key;
      let url = null;
      const field2 = h("input", {
        class: "pf-c-form-control apk-key",
        type: "text",
        readonly: true,
        value: secret,
        "aria-label": _2("The new key"),
        id: "apk-new-key",
        spellcheck: "false"
      });
      const note = h("div", { class: "apk-note", "aria-live": "polite" });
      const copy = button(_2("Copy"), "secondary", () => {
        copyText(field2, secret).then(
          () => {
            note.textContent = _2("Copied to the clipboard.");
          },
          (ex) => {
            note.textContent = ex.message;
          }
        );
      }, { id: "apk-copy" });
      const save = button(_2("Save"), "secondary", () => {
        if (url)
          URL.revokeObjectURL(url);
        url = URL.createObjectURL(new Blob([secret + "\n"], { type: "application/octet-stream" }));
        const a = h("a", { href: url, download: name + ".key", style: "display:none" });
        document.body.appendChild(a);
        a.click();
        a.remove();
        note.textContent = cockpit.format(_2("Saved as $0."), name + ".key");
      }, { id: "apk-save" });
      const confirm = h("input", { class: "pf-c-check__input", type: "checkbox", id: "apk-have-key" });
      const done = button(_2("Close"), "primary", () => modal.close(), { id: "apk-close-key", disabled: true });
      confirm.addEventListener("change", () => {
        done.disabled = !confirm.checked;
      });
      const modal = openModal({
        title,
        name: "new-key",
        variant: "md",
        dismissable: false,
        body: [
          alert(
            "warning",
            _2("This key is shown only once."),
            _2("Copy it or save it now. The system keeps only a one-way digest: a lost key cannot be shown again, only deleted and replaced.")
          ),
          h("div", { class: "pf-c-input-group" }, field2, copy, save),
          note,
          h(
            "div",
            { class: "pf-c-check" },
            confirm,
            h(
              "label",
              { class: "pf-c-check__label", for: "apk-have-key" },
              _2("I have copied or saved the key")
            )
          )
        ],
        footer: [done],
        onclose: () => {
          field2.value = "";
          secret = null;
          if (url)
            URL.revokeObjectURL(url);
          url = null;
          resolve();
        }
      });
      key = null;
    });
  }

  // src/app.js
  var _3 = cockpit.gettext;
  var state = {
    keys: [],
    loaded: false,
    policy: null,
    policyError: null,
    sort: { column: "created", ascending: true },
    selected: /* @__PURE__ */ new Set(),
    /* ids */
    editing: null,
    /* the id of the row edited in place */
    me: null,
    /* the logged-in user's name */
    admin: false
    /* Cockpit's administrative access is on */
  };
  var root = h("div", { class: "apk-page" });
  var alerts = h("div", { class: "apk-alerts", id: "apk-alerts" });
  var toolbar = h("div", { class: "pf-c-toolbar" });
  var content = h("div", { class: "apk-card" });
  function showError(ex) {
    fill(alerts, alert("danger", _3("The command failed"), message(ex)));
  }
  function clearError() {
    fill(alerts);
  }
  function reload() {
    return Promise.all([
      listKeys(),
      policy().then(
        (p) => {
          state.policy = p;
          state.policyError = null;
        },
        (ex) => {
          state.policy = null;
          state.policyError = message(ex);
        }
      )
    ]).then(([keys]) => {
      state.keys = keys;
      state.loaded = true;
      const ids = new Set(keys.map((k) => k.id));
      for (const id of Array.from(state.selected))
        if (!ids.has(id))
          state.selected.delete(id);
      if (state.editing && !ids.has(state.editing))
        state.editing = null;
      render();
    }, (ex) => {
      state.keys = [];
      state.loaded = true;
      render();
      showError(ex);
    });
  }
  function change(promise) {
    return promise.then(
      () => {
        clearError();
        return reload();
      },
      (ex) => {
        showError(ex);
        return reload();
      }
    );
  }
  var columns = [
    { id: "name", label: _3("Name"), key: (k) => k.name.toLowerCase() },
    { id: "id", label: _3("ID"), key: (k) => k.id },
    { id: "description", label: _3("Description"), key: (k) => k.description.toLowerCase() },
    { id: "created", label: _3("Created"), key: (k) => k.created },
    { id: "status", label: _3("Status"), key: (k) => statusRank(k, Date.now()) + (k.expires || "") },
    { id: "last_used", label: _3("Last used"), key: (k) => k.last_used ? k.last_used.time : "" },
    { id: "services", label: _3("Services"), key: (k) => k.services.join(",") },
    { id: "from", label: _3("Networks"), key: (k) => k.from.join(",") }
  ];
  function sortedKeys() {
    const col = columns.find((c) => c.id === state.sort.column) || columns[3];
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
    const dir = active ? state.sort.ascending ? "ascending" : "descending" : "none";
    return h(
      "th",
      { class: "pf-c-table__sort" + (active ? " pf-m-selected" : ""), "aria-sort": dir, scope: "col", "data-column": col.id },
      h(
        "button",
        {
          class: "pf-c-table__button",
          type: "button",
          onclick: () => {
            if (active)
              state.sort.ascending = !state.sort.ascending;
            else
              state.sort = { column: col.id, ascending: true };
            render();
          }
        },
        h(
          "div",
          { class: "pf-c-table__button-content" },
          h("span", { class: "pf-c-table__text" }, col.label),
          h("span", { class: "pf-c-table__sort-indicator" }, active ? state.sort.ascending ? "\u25B2" : "\u25BC" : "\u21C5")
        )
      )
    );
  }
  function selectBox(id, label) {
    return h("input", {
      type: "checkbox",
      "aria-label": label,
      checked: state.selected.has(id),
      onchange: (ev) => {
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
    return h(
      "tr",
      { "data-key": key.id },
      h("td", { class: "pf-c-table__check" }, selectBox(key.id, cockpit.format(_3("Select $0"), key.name))),
      h("td", { "data-label": _3("Name"), "data-field": "name" }, key.name),
      h("td", { "data-label": _3("ID"), "data-field": "id", class: "apk-key" }, key.id),
      h("td", { "data-label": _3("Description"), "data-field": "description" }, key.description),
      h("td", { "data-label": _3("Created"), "data-field": "created" }, when(key.created)),
      h("td", { "data-label": _3("Status"), "data-field": "status" }, status(key, now)),
      h("td", { "data-label": _3("Last used"), "data-field": "last_used" }, lastUsed(key)),
      h("td", { "data-label": _3("Services"), "data-field": "services" }, services(key)),
      h("td", { "data-label": _3("Networks"), "data-field": "from" }, networks(key)),
      h(
        "td",
        { class: "pf-c-table__action" },
        h(
          "div",
          { class: "pf-l-flex pf-m-nowrap pf-m-space-items-sm" },
          button(_3("Edit"), "link", () => {
            state.editing = key.id;
            clearError();
            render();
          }, { "data-action": "edit" }),
          key.disabled ? button(_3("Enable"), "link", () => change(run(["enable", "--", key.id])), { "data-action": "enable" }) : button(_3("Disable"), "link", () => change(run(["disable", "--", key.id])), { "data-action": "disable" }),
          button(_3("Rotate"), "link", () => rotateDialog(key), { "data-action": "rotate" }),
          button(_3("Delete"), "link pf-m-danger", () => deleteDialog([key]), { "data-action": "delete" })
        )
      )
    );
  }
  function editRow(key) {
    const name = input({ value: key.name, "aria-label": _3("Name"), name: "name" });
    const desc = input({ value: key.description, "aria-label": _3("Description"), name: "description" });
    const expires = input({
      value: "",
      "aria-label": _3("Expires"),
      name: "expires",
      placeholder: key.expires ? key.expires.slice(0, 10) : _3("never")
    });
    const services2 = input({ value: key.services.join(","), "aria-label": _3("Services"), name: "services", placeholder: _3("all") });
    const from = input({ value: key.from.join(","), "aria-label": _3("Networks"), name: "from", placeholder: _3("any") });
    const save = () => {
      const args = ["edit"];
      if (name.value !== key.name)
        args.push("--name=" + name.value);
      if (desc.value !== key.description)
        args.push("--description=" + desc.value);
      if (expires.value.trim() !== "")
        args.push("--expires=" + expires.value.trim());
      if (services2.value.replace(/\s/g, "") !== key.services.join(","))
        args.push("--service=" + (services2.value.replace(/\s/g, "") || "all"));
      if (from.value.replace(/\s/g, "") !== key.from.join(","))
        args.push("--from=" + (from.value.replace(/\s/g, "") || "any"));
      if (args.length === 1) {
        state.editing = null;
        render();
        return;
      }
      args.push("--", key.id);
      run(args).then(
        () => {
          state.editing = null;
          clearError();
          return reload();
        },
        (ex) => showError(ex)
      );
    };
    const onEnter = (ev) => {
      if (ev.key === "Enter") save();
    };
    for (const el of [name, desc, expires, services2, from])
      el.addEventListener("keydown", onEnter);
    return h(
      "tr",
      { "data-key": key.id, class: "pf-m-inline-editable" },
      h("td", {}),
      h("td", { "data-label": _3("Name") }, name),
      h("td", { "data-label": _3("ID"), class: "apk-key" }, key.id),
      h("td", { "data-label": _3("Description") }, desc),
      h("td", { "data-label": _3("Created") }, when(key.created)),
      h(
        "td",
        { "data-label": _3("Status") },
        status(key, Date.now()),
        h("br"),
        expires,
        h("div", { class: "apk-muted" }, _3("New expiry: never, 30d, 12h, YYYY-MM-DD"))
      ),
      h("td", { "data-label": _3("Last used") }, lastUsed(key)),
      h("td", { "data-label": _3("Services") }, services2),
      h("td", { "data-label": _3("Networks") }, from),
      h(
        "td",
        { class: "pf-c-table__action" },
        h(
          "div",
          { class: "pf-l-flex pf-m-nowrap pf-m-space-items-sm" },
          button(_3("Save"), "primary", save, { "data-action": "save" }),
          button(_3("Cancel"), "link", () => {
            state.editing = null;
            render();
          }, { "data-action": "cancel" })
        )
      )
    );
  }
  function emptyState() {
    return h(
      "div",
      { class: "pf-c-empty-state", id: "apk-empty" },
      h(
        "div",
        { class: "pf-c-empty-state__content" },
        h("h2", { class: "pf-c-title pf-m-lg" }, _3("No API keys")),
        h(
          "div",
          { class: "pf-c-empty-state__body" },
          h("p", {}, _3("An API key logs you in wherever this machine uses PAM with pam_apikey (ssh, su, sudo, or a program of your own) in place of your password. Give each script, job or device its own key, and delete it when it is no longer needed.")),
          h("p", {}, _3("A key is shown once, when it is generated. Save it in a file only you can read, then use it with ssh:")),
          h(
            "code",
            { class: "apk-example" },
            "SSHPASS=$(cat key-1.key) sshpass -e ssh " + (currentAccount() || state.me || "user") + "@" + window.location.hostname
          )
        ),
        button(_3("Generate key"), "primary", generateDialog, { id: "apk-generate-empty" })
      )
    );
  }
  function table() {
    const all = state.keys.length > 0 && state.keys.every((k) => state.selected.has(k.id));
    return h(
      "table",
      { class: "pf-c-table pf-m-compact pf-m-grid-md apk-table", role: "grid", id: "apk-keys", "aria-label": _3("API keys") },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h(
            "th",
            { class: "pf-c-table__check" },
            h("input", {
              type: "checkbox",
              "aria-label": _3("Select all"),
              checked: all,
              onchange: (ev) => {
                state.selected = new Set(ev.target.checked ? state.keys.map((k) => k.id) : []);
                render();
              }
            })
          ),
          columns.map(sortHeader),
          h("td", {})
        )
      ),
      h("tbody", {}, sortedKeys().map(row))
    );
  }
  var picker = null;
  function ownerPicker() {
    if (!state.admin)
      return null;
    if (picker)
      return picker;
    const who = input({ value: "", placeholder: state.me || "", id: "apk-account", "aria-label": _3("Account") });
    const show = () => {
      const name = who.value.trim();
      setAccount(name === "" || name === state.me ? null : name);
      state.selected.clear();
      state.editing = null;
      clearError();
      reload();
    };
    who.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") show();
    });
    picker = h(
      "div",
      { class: "pf-c-toolbar__item apk-owner" },
      h("label", { for: "apk-account" }, _3("Account")),
      who,
      button(_3("Show"), "secondary", show, { id: "apk-account-show" })
    );
    return picker;
  }
  function renderToolbar() {
    const n = state.selected.size;
    const policyLine = state.policyError ? state.policyError : state.policy ? cockpit.format(
      _3("Administrator's limits: $0 keys, $1."),
      state.policy.max_keys,
      state.policy.max_lifetime ? cockpit.format(_3("at most $0 days each"), state.policy.max_lifetime) : _3("no maximum lifetime")
    ) : "";
    fill(
      toolbar,
      h(
        "div",
        { class: "pf-c-toolbar__content" },
        h(
          "div",
          { class: "pf-c-toolbar__content-section" },
          h(
            "div",
            { class: "pf-c-toolbar__item" },
            button(_3("Generate key"), "primary", generateDialog, { id: "apk-generate" })
          ),
          h(
            "div",
            { class: "pf-c-toolbar__item" },
            button(
              n ? cockpit.format(_3("Delete $0 selected"), n) : _3("Delete selected"),
              "danger",
              () => deleteDialog(state.keys.filter((k) => state.selected.has(k.id))),
              { id: "apk-delete-selected", disabled: n === 0 }
            )
          ),
          ownerPicker(),
          h("div", { class: "pf-c-toolbar__item apk-muted", id: "apk-policy" }, policyLine)
        )
      )
    );
  }
  function render() {
    renderToolbar();
    if (!state.loaded)
      fill(content, h("p", { class: "apk-muted" }, _3("Loading...")));
    else if (state.keys.length === 0)
      fill(content, emptyState());
    else
      fill(content, table());
  }
  function dialogError(where, ex) {
    fill(where, alert("danger", _3("The command failed"), message(ex)));
  }
  function suggestName() {
    const names = new Set(state.keys.map((k) => k.name));
    let i = 1;
    while (names.has("key-" + i))
      i++;
    return "key-" + i;
  }
  function expiryHelp() {
    const p = state.policy;
    const forms = _3("never, a duration (30d, 12h, 2w), YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC).");
    if (!p)
      return forms;
    const dflt = p.default_lifetime ? cockpit.format(_3("$0 days"), p.default_lifetime) : _3("never");
    const max = p.max_lifetime ? cockpit.format(_3("The administrator's maximum is $0 days."), p.max_lifetime) : _3("The administrator sets no maximum.");
    return cockpit.format(_3("Empty: the default ($0). $1 $2"), dflt, max, forms);
  }
  function generateDialog() {
    const errors = h("div", {});
    const name = input({ value: suggestName(), id: "apk-gen-name", name: "name" });
    const desc = input({ value: "", id: "apk-gen-description", name: "description" });
    const expires = input({
      value: "",
      id: "apk-gen-expires",
      name: "expires",
      placeholder: state.policy && state.policy.default_lifetime ? state.policy.default_lifetime + "d" : "never"
    });
    const services2 = input({
      value: "",
      id: "apk-gen-services",
      name: "services",
      placeholder: state.policy && state.policy.services.length ? state.policy.services.join(",") : "all"
    });
    const from = input({ value: "", id: "apk-gen-from", name: "from", placeholder: "any" });
    const go = button(_3("Generate"), "primary", () => {
      const keyName = name.value.trim() || suggestName();
      const args = ["generate", "-q", "--name=" + keyName];
      if (desc.value !== "")
        args.push("--description=" + desc.value);
      if (expires.value.trim() !== "")
        args.push("--expires=" + expires.value.trim());
      if (services2.value.trim() !== "")
        args.push("--service=" + services2.value.replace(/\s/g, ""));
      if (from.value.trim() !== "")
        args.push("--from=" + from.value.replace(/\s/g, ""));
      go.disabled = true;
      run(args).then((out) => {
        const key = readKey(out);
        out = null;
        modal.close();
        clearError();
        reload();
        return showKey(_3("Your new API key"), keyName, key);
      }).catch((ex) => {
        go.disabled = false;
        dialogError(errors, ex);
      });
    }, { id: "apk-gen-submit" });
    const modal = openModal({
      title: _3("Generate an API key"),
      name: "generate",
      dismissable: true,
      body: [errors, h(
        "form",
        { class: "pf-c-form", onsubmit: (ev) => {
          ev.preventDefault();
          go.click();
        } },
        field(_3("Name"), name, _3("1 to 64 of A-Z a-z 0-9 . _ -")),
        field(_3("Description"), desc),
        field(_3("Expires"), expires, expiryHelp()),
        field(_3("Services"), services2, _3("PAM services, comma-separated (sshd,sudo); empty: the administrator's default")),
        field(_3("Networks"), from, _3("Addresses or networks, comma-separated (192.0.2.0/24); empty: anywhere"))
      )],
      footer: [go, button(_3("Cancel"), "link", () => modal.close())]
    });
  }
  function rotateDialog(key) {
    const errors = h("div", {});
    const overlap = input({ value: "", id: "apk-rot-overlap", placeholder: "7d" });
    const go = button(_3("Rotate"), "primary", () => {
      const args = ["rotate", "-q"];
      if (overlap.value.trim() !== "")
        args.push("--overlap=" + overlap.value.trim());
      args.push("--", key.id);
      go.disabled = true;
      run(args).then((out) => {
        const newKey = readKey(out);
        out = null;
        modal.close();
        clearError();
        reload();
        return showKey(cockpit.format(_3("The new key for $0"), key.name), key.name, newKey);
      }).catch((ex) => {
        go.disabled = false;
        dialogError(errors, ex);
      });
    }, { id: "apk-rot-submit" });
    const modal = openModal({
      title: cockpit.format(_3("Rotate $0"), key.name),
      name: "rotate",
      dismissable: true,
      body: [
        errors,
        h("p", {}, cockpit.format(_3("A new key takes the name, description, services and networks of $0 and is shown once. The old key is renamed $0.old and stops working now, or after the overlap."), key.name)),
        h(
          "form",
          { class: "pf-c-form", onsubmit: (ev) => {
            ev.preventDefault();
            go.click();
          } },
          field(_3("Overlap"), overlap, _3("How long the old key keeps working: empty for not at all, or 30m, 12h, 7d."))
        )
      ],
      footer: [go, button(_3("Cancel"), "link", () => modal.close())]
    });
  }
  function deleteDialog(keys) {
    if (keys.length === 0)
      return;
    const errors = h("div", {});
    const go = button(cockpit.format(cockpit.ngettext("Delete $0 key", "Delete $0 keys", keys.length), keys.length), "danger", () => {
      go.disabled = true;
      run(["delete", "--yes", "--"].concat(keys.map((k) => k.id))).then(() => {
        modal.close();
        for (const k of keys)
          state.selected.delete(k.id);
        clearError();
        reload();
      }, (ex) => {
        go.disabled = false;
        dialogError(errors, ex);
      });
    }, { id: "apk-del-submit" });
    const modal = openModal({
      title: cockpit.ngettext("Delete this key?", "Delete these keys?", keys.length),
      name: "delete",
      variant: "sm",
      dismissable: true,
      body: [
        errors,
        h("p", {}, _3("Every later login with them is refused. This cannot be undone.")),
        h(
          "ul",
          { class: "pf-c-list", id: "apk-del-names" },
          keys.map((k) => h("li", {}, k.name + " (" + k.id + ")"))
        )
      ],
      footer: [go, button(_3("Cancel"), "link", () => modal.close())]
    });
  }
  function start() {
    document.title = _3("API keys");
    root.appendChild(h("h1", { class: "pf-c-title pf-m-2xl" }, _3("API keys")));
    root.appendChild(alerts);
    root.appendChild(toolbar);
    root.appendChild(content);
    document.getElementById("app").appendChild(root);
    render();
    cockpit.user().then((u) => {
      state.me = u.name;
      if (picker)
        picker.querySelector("input").placeholder = u.name;
      render();
    });
    const permission = cockpit.permission({ admin: true });
    const onPermission = () => {
      state.admin = !!permission.allowed;
      if (!state.admin && currentAccount() !== null) {
        setAccount(null);
        reload();
      }
      render();
    };
    permission.addEventListener("changed", onPermission);
    onPermission();
    reload();
    window.setInterval(() => {
      if (state.editing === null && !document.querySelector(".pf-c-backdrop") && !document.hidden)
        reload();
    }, 3e4);
  }
  document.addEventListener("DOMContentLoaded", () => {
    cockpit.translate();
    start();
  });
})();
