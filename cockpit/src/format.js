/* format.js - a key's fields as the table shows them, the same words as
 * `apikeyctl list` (status: active, expires DATE, expired, disabled). */
/* global cockpit */
const _ = cockpit.gettext;

/* "2026-11-26T12:00:00Z" -> "2026-11-26 12:00" (UTC, as the CLI prints). */
export function when(iso) {
    if (!iso)
        return "";
    return iso.replace("T", " ").replace(/:\d\dZ$/, "");
}

export function status(key, now) {
    if (key.disabled)
        return _("disabled");
    if (key.expires === null)
        return _("active");
    if (Date.parse(key.expires) <= now)
        return _("expired");
    return cockpit.format(_("expires $0"), key.expires.slice(0, 10));
}

/* The order of a status for sorting: usable first. */
export function statusRank(key, now) {
    if (key.disabled)
        return 3;
    if (key.expires !== null && Date.parse(key.expires) <= now)
        return 2;
    return key.expires === null ? 0 : 1;
}

export function lastUsed(key) {
    const u = key.last_used;
    if (!u)
        return _("never");
    return [when(u.time), u.service, u.rhost].filter(x => x).join(", ");
}

export function services(key) {
    return key.services.length ? key.services.join(", ") : _("all");
}

export function networks(key) {
    return key.from.length ? key.from.join(", ") : _("any");
}
