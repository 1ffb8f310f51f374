/* ctl.js - the page's only way to the system: apikeyctl, run by
 * cockpit-bridge as the logged-in user (or, for another account, with
 * Cockpit's administrative access: superuser "require" and --user). The
 * page parses only --json output and -q keys, and shows a failure as the
 * one line apikeyctl wrote on standard error. */
/* global cockpit */

/* Whose keys: null is the logged-in user's own. */
let account = null;

export function setAccount(name) {
    account = name || null;
}

export function currentAccount() {
    return account;
}

/* The failure as one line of text: apikeyctl's message, else Cockpit's. */
export function message(ex) {
    const text = (ex && (ex.message || ex.problem)) || String(ex);
    const lines = text.split("\n").filter(l => l.trim() !== "");
    return lines.length ? lines[lines.length - 1] : text;
}

/* run(["list", "--json"]) -> Promise of standard output. */
export function run(args) {
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

export function listKeys() {
    return run(["list", "--json"]).then(out => JSON.parse(out));
}

export function policy() {
    return run(["policy", "--json"]).then(out => JSON.parse(out));
}

/* generate -q and rotate -q print the key and a newline, nothing else. */
export function readKey(out) {
    const key = out.trim();
    if (!/^apk_[A-Za-z0-9_-]{64}$/.test(key))
        throw new Error(cockpit.gettext("apikeyctl printed no key"));
    return key;
}
