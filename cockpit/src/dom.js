/* dom.js - building the page's elements. Text is always a text node: no
 * string ever becomes markup (no string is parsed as HTML here), so a key
 * name or a description such as <img src=x onerror=...> shows as typed. */

/* h("button", { class: "pf-c-button", onclick: f }, "Text", child, ...) */
export function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
        if (value === undefined || value === null || value === false)
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
        if (c === undefined || c === null || c === false)
            continue;
        if (Array.isArray(c))
            append(el, c);
        else if (c instanceof Node)
            el.appendChild(c);
        else
            el.appendChild(document.createTextNode(String(c)));
    }
}

/* Replaces everything in el with children. */
export function fill(el, ...children) {
    while (el.firstChild)
        el.removeChild(el.firstChild);
    append(el, children);
    return el;
}

let seq = 0;
/* A fresh id for a label's "for". */
export function uid(prefix) {
    seq += 1;
    return prefix + "-" + seq;
}

export function button(label, variant, onclick, attrs) {
    return h("button", Object.assign({ class: "pf-c-button pf-m-" + variant, type: "button", onclick }, attrs || {}), label);
}

/* A PatternFly inline alert holding one line of text. */
export function alert(kind, title, text) {
    return h("div", { class: "pf-c-alert pf-m-inline pf-m-" + kind, role: "alert" },
             h("p", { class: "pf-c-alert__title" }, title),
             text ? h("div", { class: "pf-c-alert__description" }, text) : null);
}

/* A form group: label and control, with an optional helper line. */
export function field(label, control, helper) {
    if (!control.id)
        control.id = uid("f");
    return h("div", { class: "pf-c-form__group" },
             h("div", { class: "pf-c-form__group-label" },
               h("label", { class: "pf-c-form__label", for: control.id },
                 h("span", { class: "pf-c-form__label-text" }, label))),
             h("div", { class: "pf-c-form__group-control" }, control,
               helper ? h("p", { class: "pf-c-form__helper-text" }, helper) : null));
}

export function input(attrs) {
    return h("input", Object.assign({ class: "pf-c-form-control", type: "text" }, attrs || {}));
}
