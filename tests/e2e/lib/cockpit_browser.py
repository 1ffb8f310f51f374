#!/usr/bin/python3
"""tests/e2e/lib/cockpit_browser.py - drives the Cockpit page "API keys" in
Debian's headless Chromium (chromium-driver, python3-selenium) against a
cockpit-ws that tests/e2e/70_cockpit.sh started, and checks every step
against `apikeyctl list --json` and real logins (pamtester). Speaks TAP on
stdout, numbering from $TAP_START; prints "TAP_N=<last>" as its last line.

    cockpit_browser.py page        the page, as two users logged in with passwords
    cockpit_browser.py admin       an admin (sudo) manages USER2's keys
    cockpit_browser.py apikey      logging in to Cockpit itself with an API key

Environment: URL, USER1, PW1, USER2, PW2, ADMIN, ADMIN_PW, APKCTL, PAM_SERVICE, SHOTS (the
directory of the screenshots), WORK (a private directory), TAP_START;
KEYFILE: where `page` leaves a key of USER1 for `apikey`.
"""
import json
import os
import shutil
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, StaleElementReferenceException,
                                        TimeoutException, WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

E = os.environ
URL = E["URL"]
WORK = E["WORK"]
N = int(E.get("TAP_START", "0"))
FAILED = 0
XSS = "<img src=x onerror=alert(1)>"
FRAME = "iframe[name='cockpit1:localhost/apikey']"


def tap(ok, desc, *diag):
    global N, FAILED
    N += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (N, desc))
    if not ok:
        FAILED += 1
        for d in diag:
            for line in str(d).splitlines()[:30]:
                print("#   " + line)
    sys.stdout.flush()
    return ok


def bail(desc, *diag):
    tap(False, desc, *diag)
    print("TAP_N=%d" % N)
    sys.exit(1)


# ---- the system's side --------------------------------------------------

def cli_keys(user):
    """The keys of user as root reads them: apikeyctl --user USER list --json."""
    out = subprocess.run([E["APKCTL"], "--user", user, "list", "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def cli_as(user, *args):
    """apikeyctl ARGS run by user: (status, stdout, stderr)."""
    p = subprocess.run(["runuser", "-u", user, "--", E["APKCTL"]] + list(args),
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd="/")
    return p.returncode, p.stdout, p.stderr


def logs_in(user, key):
    """The key answers the one prompt of PAM_SERVICE (pam_apikey) for user."""
    p = subprocess.run(["timeout", "30", "pamtester", E["PAM_SERVICE"], user, "authenticate"],
                       input=key + "\n", capture_output=True, text=True)
    return p.returncode == 0


def wellformed(key):
    return isinstance(key, str) and len(key) == 68 and key.startswith("apk_") and \
        all(c.isalnum() or c in "_-" for c in key[4:])


# ---- what the page should show, from list --------------------------------

def when(iso):
    return iso.replace("T", " ")[:16] if iso else ""


def status(k, now):
    if k["disabled"]:
        return "disabled"
    if k["expires"] is None:
        return "active"
    t = time.mktime(time.strptime(k["expires"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    return "expired" if t <= now else "expires " + k["expires"][:10]


def expected_row(k, now):
    u = k["last_used"]
    last = "never" if u is None else ", ".join(x for x in (when(u["time"]), u["service"], u["rhost"]) if x)
    return {"name": k["name"], "id": k["id"], "description": k["description"],
            "created": when(k["created"]), "status": status(k, now), "last_used": last,
            "services": ", ".join(k["services"]) or "all", "from": ", ".join(k["from"]) or "any"}


# ---- the browser --------------------------------------------------------

def browser(name):
    profile = os.path.join(WORK, "profile-" + name)
    downloads = os.path.join(WORK, "downloads-" + name)
    shutil.rmtree(profile, ignore_errors=True)
    os.makedirs(downloads, exist_ok=True)
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=1600,900", "--user-data-dir=" + profile):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"download.default_directory": downloads,
                                        "download.prompt_for_download": False})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    d.downloads = downloads
    return d


def wait(d, cond, what, timeout=20):
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(lambda _: cond())
    except TimeoutException:
        return None


def login_outcome(d):
    """"shell" (logged in), "error" (refused), "prompt" (PAM asks again), or None."""
    if d.find_elements(By.CSS_SELECTOR, "iframe[name^='cockpit1:']"):
        return "shell"
    if shown(d, "login-error-message"):
        return "error"
    c = d.find_elements(By.ID, "conversation-input")
    if c and c[0].is_displayed():
        return "prompt"
    return None


def login_as(d, user, secret):
    """Cockpit's login form answered with user and secret: the outcome."""
    d.get(URL + "/")
    if not wait(d, lambda: d.find_elements(By.ID, "login-user-input"), "login form"):
        return None
    d.find_element(By.ID, "login-user-input").send_keys(user)
    d.find_element(By.ID, "login-password-input").send_keys(secret)
    d.find_element(By.ID, "login-button").click()
    return wait(d, lambda: login_outcome(d), "the login's outcome", 30)


def login(d, user, secret):
    return login_as(d, user, secret) == "shell"


def shown(d, elem_id):
    e = d.find_elements(By.ID, elem_id)
    return e and e[0].is_displayed() and e[0].text.strip() != ""


def open_page(d):
    d.get(URL + "/apikey")
    frame = wait(d, lambda: d.find_elements(By.CSS_SELECTOR, FRAME), "the page's frame", 30)
    if not frame:
        return False
    d.switch_to.frame(frame[0])
    return bool(wait(d, lambda: d.find_elements(By.ID, "apk-keys") or d.find_elements(By.ID, "apk-empty"),
                     "the table or the empty state", 30))


def screenshot(d, name):
    """doc/cockpit-NAME.png: the whole shell, taken from the top document."""
    d.switch_to.default_content()
    d.save_screenshot(os.path.join(E["SHOTS"], "cockpit-%s.png" % name))
    d.switch_to.frame(d.find_element(By.CSS_SELECTOR, FRAME))


def rows(d):
    return d.execute_script("""
        return Array.from(document.querySelectorAll('#apk-keys tbody tr')).map(tr => {
            const r = {};
            tr.querySelectorAll('td[data-field]').forEach(td => { r[td.dataset.field] = td.textContent; });
            return r;
        });""")


def table_matches(d, user, step):
    """The table shows exactly the keys list --json gives, field for field."""
    want = None
    for _ in range(50):  # the page reloads after each change
        keys = cli_keys(user)
        now = time.time()
        want = sorted((expected_row(k, now) for k in keys), key=lambda r: r["id"])
        got = sorted(rows(d), key=lambda r: r.get("id", "")) if keys else []
        empty = bool(d.find_elements(By.ID, "apk-empty"))
        if got == want and (keys or empty):
            return tap(True, "%s: the table matches apikeyctl list --json (%d keys)" % (step, len(keys)))
        time.sleep(0.2)
    return tap(False, "%s: the table matches apikeyctl list --json" % step,
               "page: " + json.dumps(got), "list: " + json.dumps(want))


def row_button(d, key_id, action):
    return d.find_element(By.CSS_SELECTOR, "tr[data-key='%s'] button[data-action='%s']" % (key_id, action))


def key_by_name(user, name):
    for k in cli_keys(user):
        if k["name"] == name:
            return k
    return None


def read_new_key(d, step):
    """The dialog that shows a key: read it, check it cannot be dismissed by
    accident, close it. Returns the key or None."""
    f = wait(d, lambda: d.find_elements(By.ID, "apk-new-key"), "the key dialog")
    if not f:
        tap(False, step + ": the key is shown in a dialog", alert_text(d))
        return None
    key = f[0].get_attribute("value")
    tap(wellformed(key), step + ": the key is shown in a dialog (apk_ and 64 characters)")
    return key


def close_key_dialog(d, key, step):
    close = d.find_element(By.ID, "apk-close-key")
    d.find_element(By.ID, "apk-new-key").send_keys(Keys.ESCAPE)
    time.sleep(0.3)
    tap(bool(d.find_elements(By.ID, "apk-new-key")) and not close.is_enabled(),
        step + ": Escape does not dismiss it, Close is off until the user says they have the key")
    d.find_element(By.ID, "apk-have-key").click()
    close.click()
    gone = wait(d, lambda: not d.find_elements(By.ID, "apk-new-key"), "the dialog closes", 5)
    tap(bool(gone), step + ": Close closes the dialog once ticked")
    no_trace(d, key, step)


def no_trace(d, key, step):
    """Nothing of the key in either document, their storage, or a URL."""
    found = []
    secret = key[16:60]
    for where in ("frame", "top"):
        if where == "top":
            d.switch_to.default_content()
        dump = d.execute_script("""
            const s = [document.documentElement.outerHTML];
            document.querySelectorAll('input, textarea').forEach(e => s.push(e.value));
            for (const st of [localStorage, sessionStorage])
                for (let i = 0; i < st.length; i++) s.push(st.key(i), st.getItem(st.key(i)));
            s.push(location.href, document.cookie);
            return s.join('\\n');""")
        if key in dump or secret in dump:
            found.append(where)
    d.switch_to.frame(d.find_element(By.CSS_SELECTOR, FRAME))
    tap(not found, step + ": nothing of the key in the DOM, localStorage or sessionStorage after it closed",
        "found in: " + " ".join(found))


def alert_text(d):
    return " | ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, ".pf-c-alert"))


def no_js_alert(d):
    try:
        d.switch_to.alert.dismiss()
        return False
    except NoAlertPresentException:
        return True


def click_id(d, elem_id):
    """Clicks an element that a re-render may replace (the toolbar's)."""
    for _ in range(50):
        try:
            d.find_element(By.ID, elem_id).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    d.find_element(By.ID, elem_id).click()


def fill(d, elem_id, text):
    e = d.find_element(By.ID, elem_id)
    e.clear()
    e.send_keys(text)


# ---- the scenario ---------------------------------------------------------

def phase_page():
    u1, u2 = E["USER1"], E["USER2"]
    d = browser("one")
    try:
        tap(login(d, u1, E["PW1"]), "%s logs in to Cockpit with the password" % u1) or bail("no login")
        tap(open_page(d), "the API keys page opens in Cockpit's shell") or bail("no page")
        empty = d.find_elements(By.ID, "apk-empty")
        tap(bool(empty) and "ssh" in empty[0].text and "once" in empty[0].text,
            "no key yet: the empty state explains keys and their use with ssh")
        screenshot(d, "empty")
        table_matches(d, u1, "empty")
        tap(not d.find_elements(By.ID, "apk-account"),
            "without Cockpit's administrative access there is no Account field (no --user)")

        # ---- generate, with markup in the description
        d.find_element(By.ID, "apk-generate").click()
        wait(d, lambda: d.find_elements(By.ID, "apk-gen-name"), "generate dialog")
        tap(d.find_element(By.ID, "apk-gen-name").get_attribute("value") == "key-1",
            "Generate suggests the name key-1")
        helper = d.find_element(By.CSS_SELECTOR, "[data-dialog='generate']").text
        tap("3650 days" in helper, "Generate shows the administrator's maximum lifetime (max_lifetime = 3650)",
            helper)
        fill(d, "apk-gen-name", "web-deploy")
        fill(d, "apk-gen-description", XSS)
        screenshot(d, "generate")
        d.find_element(By.ID, "apk-gen-submit").click()
        key1 = read_new_key(d, "generate") or bail("no key from Generate")
        screenshot(d, "new-key")
        d.find_element(By.ID, "apk-save").click()
        path = os.path.join(d.downloads, "web-deploy.key")
        wait(d, lambda: os.path.exists(path) and not os.path.exists(path + ".crdownload"), "download", 10)
        saved = open(path).read() if os.path.exists(path) else None
        tap(saved == key1 + "\n", "Save downloads web-deploy.key holding exactly the key (and a newline)",
            "got %r" % (saved[:8] + "..." if saved else saved))
        close_key_dialog(d, key1, "generate")
        k = key_by_name(u1, "web-deploy")
        tap(k is not None and k["id"] == key1[4:16], "the key made through the page is in list --json, with its id")
        table_matches(d, u1, "generate")
        tap(logs_in(u1, key1), "the key read from the dialog logs in through pamtester")
        desc = d.find_element(By.CSS_SELECTOR, "tr[data-key='%s'] td[data-field='description']" % k["id"])
        tap(desc.text == XSS and not d.find_elements(By.CSS_SELECTOR, "#apk-keys img") and no_js_alert(d),
            "the description %s shows as typed: text, no img element, no alert" % XSS)

        # ---- a second key, restricted, through the dialog's other fields
        d.find_element(By.ID, "apk-generate").click()
        wait(d, lambda: d.find_elements(By.ID, "apk-gen-name"), "generate dialog")
        tap(d.find_element(By.ID, "apk-gen-name").get_attribute("value") == "key-1",
            "the suggested name is still the first free key-N")
        fill(d, "apk-gen-expires", "30d")
        fill(d, "apk-gen-services", "sshd, sudo")
        fill(d, "apk-gen-from", "127.0.0.1,192.0.2.0/24")
        d.find_element(By.ID, "apk-gen-submit").click()
        key2 = read_new_key(d, "generate key-1")
        close_key_dialog(d, key2 or "-", "generate key-1")
        k2 = key_by_name(u1, "key-1")
        tap(k2 is not None and k2["services"] == ["sshd", "sudo"] and k2["from"] == ["127.0.0.1", "192.0.2.0/24"]
            and k2["expires"] is not None, "key-1 has the expiry, services and networks given in the dialog")
        table_matches(d, u1, "generate key-1")

        # ---- an error is apikeyctl's one line
        st, _, err = cli_as(u1, "generate", "--name", "web-deploy")
        d.find_element(By.ID, "apk-generate").click()
        wait(d, lambda: d.find_elements(By.ID, "apk-gen-name"), "generate dialog")
        fill(d, "apk-gen-name", "web-deploy")
        d.find_element(By.ID, "apk-gen-submit").click()
        shown_err = wait(d, lambda: [e.text for e in d.find_elements(
            By.CSS_SELECTOR, "[data-dialog='generate'] .pf-c-alert__description")], "error")
        tap(st == 1 and shown_err == [err.strip()],
            "a name in use: the dialog shows apikeyctl's own one-line message", shown_err, err)
        d.find_element(By.CSS_SELECTOR, "[data-dialog='generate'] .pf-c-modal-box__footer .pf-m-link").click()

        # ---- edit in place: rename, describe, expiry
        row_button(d, k["id"], "edit").click()
        edit = "tr[data-key='%s'] input[name='%s']"
        d.find_element(By.CSS_SELECTOR, edit % (k["id"], "name")).clear()
        d.find_element(By.CSS_SELECTOR, edit % (k["id"], "name")).send_keys("web-prod")
        d.find_element(By.CSS_SELECTOR, edit % (k["id"], "description")).clear()
        d.find_element(By.CSS_SELECTOR, edit % (k["id"], "description")).send_keys("deploys the web site")
        d.find_element(By.CSS_SELECTOR, edit % (k["id"], "expires")).send_keys("2031-01-01")
        screenshot(d, "edit")
        row_button(d, k["id"], "save").click()
        wait(d, lambda: not d.find_elements(By.CSS_SELECTOR, edit % (k["id"], "name")), "edit ends")
        k = key_by_name(u1, "web-prod")
        tap(k is not None and k["description"] == "deploys the web site" and k["expires"] == "2031-01-01T00:00:00Z",
            "edit in place renames, describes and sets the expiry (one apikeyctl edit)", json.dumps(k))
        table_matches(d, u1, "edit")

        # ---- disable, enable
        row_button(d, k["id"], "disable").click()
        wait(d, lambda: key_by_name(u1, "web-prod")["disabled"], "disabled")
        tap(key_by_name(u1, "web-prod")["disabled"] and not logs_in(u1, key1),
            "Disable: list says disabled and the key no longer logs in")
        table_matches(d, u1, "disable")
        wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "tr[data-key='%s'] button[data-action='enable']" % k["id"]),
             "enable button")
        row_button(d, k["id"], "enable").click()
        wait(d, lambda: not key_by_name(u1, "web-prod")["disabled"], "enabled")
        table_matches(d, u1, "enable")
        tap(not key_by_name(u1, "web-prod")["disabled"] and logs_in(u1, key1),
            "Enable: the key logs in again")

        # ---- rotate with an overlap
        wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "tr[data-key='%s'] button[data-action='rotate']" % k["id"]),
             "rotate button")
        row_button(d, k["id"], "rotate").click()
        wait(d, lambda: d.find_elements(By.ID, "apk-rot-overlap"), "rotate dialog")
        fill(d, "apk-rot-overlap", "1h")
        d.find_element(By.ID, "apk-rot-submit").click()
        key3 = read_new_key(d, "rotate") or bail("no key from Rotate")
        close_key_dialog(d, key3, "rotate")
        with open(E["KEYFILE"], "w") as f:
            f.write(key3)
        new, old = key_by_name(u1, "web-prod"), key_by_name(u1, "web-prod.old")
        tap(new is not None and old is not None and new["id"] == key3[4:16] and old["id"] == k["id"]
            and old["expires"] is not None, "Rotate: web-prod is the new key, web-prod.old the old one, expiring")
        table_matches(d, u1, "rotate")
        screenshot(d, "keys")
        tap(logs_in(u1, key3) and logs_in(u1, key1), "during the overlap both the new and the old key log in")

        # ---- sorting
        d.find_element(By.CSS_SELECTOR, "th[data-column='name'] button").click()
        names = [r["name"] for r in rows(d)]
        d.find_element(By.CSS_SELECTOR, "th[data-column='name'] button").click()
        names_desc = [r["name"] for r in rows(d)]
        tap(names == sorted(names, key=str.lower) and names_desc == names[::-1],
            "the Name column sorts up, then down", names, names_desc)

        # ---- delete two after a confirmation that names them
        for kid in (old["id"], k2["id"]):
            d.find_element(By.CSS_SELECTOR, "tr[data-key='%s'] td.pf-c-table__check input" % kid).click()
        d.find_element(By.ID, "apk-delete-selected").click()
        listed = wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "#apk-del-names li"), "delete dialog")
        names = sorted(e.text for e in (listed or []))
        tap(names == sorted(["web-prod.old (%s)" % old["id"], "key-1 (%s)" % k2["id"]]),
            "Delete selected asks first, naming both keys", names)
        tap(len(cli_keys(u1)) == 3, "nothing is deleted before the confirmation")
        screenshot(d, "delete")
        d.find_element(By.ID, "apk-del-submit").click()
        wait(d, lambda: len(cli_keys(u1)) == 1, "deleted")
        left = [x["name"] for x in cli_keys(u1)]
        tap(left == ["web-prod"] and not logs_in(u1, key1),
            "the two keys are deleted, the other stays, the old key no longer logs in", left)
        table_matches(d, u1, "delete")
        no_trace(d, key3, "at the end")
        ids1 = [x["id"] for x in cli_keys(u1)]
    finally:
        d.quit()

    # ---- a second user sees only their own keys
    d = browser("two")
    try:
        tap(login(d, u2, E["PW2"]), "%s logs in to Cockpit with the password" % u2) or bail("no login")
        tap(open_page(d), "%s opens the page" % u2) or bail("no page")
        table_matches(d, u2, u2)
        page = d.find_element(By.TAG_NAME, "body").text
        tap(all(i not in page for i in ids1) and "web-prod" not in page,
            "%s sees none of %s's keys" % (u2, u1))
        st, out, err = cli_as(u2, "--user", u1, "list", "--json")
        tap(st == 1 and out == "", "  ... and apikeyctl, which the page runs as %s, refuses %s's keys" % (u2, u1))
    finally:
        d.quit()


def phase_admin():
    """An admin (group sudo) switches Cockpit to administrative access and
    manages USER2's keys: apikeyctl --user, run as root by superuser."""
    admin, u2 = E["ADMIN"], E["USER2"]
    d = browser("admin")
    try:
        tap(login(d, admin, E["ADMIN_PW"]), "%s (group sudo) logs in to Cockpit with the password" % admin) \
            or bail("no login")
        tap(open_page(d), "%s opens the page" % admin) or bail("no page")
        d.switch_to.default_content()
        lock = wait(d, lambda: d.find_elements(By.XPATH, "//button[contains(., 'Limited access')]"), "lock")
        lock[0].click()
        pw = wait(d, lambda: d.find_elements(By.CSS_SELECTOR, ".pf-c-modal-box input[type=password]"), "sudo")
        pw[0].send_keys(E["ADMIN_PW"] + Keys.ENTER)
        on = wait(d, lambda: d.find_elements(By.XPATH, "//button[contains(., 'Administrative access')]"),
                  "administrative access", 30)
        tap(bool(on), "Cockpit's administrative access is switched on (sudo with the password)")
        # the shell reloads its pages on the switch: open the page afresh
        tap(open_page(d), "the page opens again with administrative access") or bail("no page")
        field = wait(d, lambda: d.find_elements(By.ID, "apk-account"), "the account field")
        tap(bool(field), "with it, the page offers an Account field") or bail("no account field")
        field[0].send_keys(u2)
        d.find_element(By.ID, "apk-account-show").click()
        table_matches(d, u2, "admin, Account %s" % u2)
        click_id(d, "apk-generate")
        wait(d, lambda: d.find_elements(By.ID, "apk-gen-name"), "generate dialog")
        fill(d, "apk-gen-name", "from-admin")
        d.find_element(By.ID, "apk-gen-submit").click()
        key = read_new_key(d, "generate for %s" % u2)
        close_key_dialog(d, key or "-", "generate for %s" % u2)
        k = key_by_name(u2, "from-admin")
        tap(k is not None and key is not None and k["id"] == key[4:16] and k["owner"] == u2,
            "the key the admin generated is %s's (apikeyctl --user)" % u2)
        table_matches(d, u2, "admin, %s's keys" % u2)
        tap(key is not None and logs_in(u2, key), "  ... and logs in as %s through pamtester" % u2)
        row_button(d, k["id"], "delete").click()
        wait(d, lambda: d.find_elements(By.ID, "apk-del-submit"), "delete dialog")
        d.find_element(By.ID, "apk-del-submit").click()
        wait(d, lambda: key_by_name(u2, "from-admin") is None, "deleted")
        tap(key_by_name(u2, "from-admin") is None, "  ... and the admin deletes it again")
        table_matches(d, u2, "admin, after the delete")
    finally:
        d.quit()


def phase_apikey():
    u1 = E["USER1"]
    key = open(E["KEYFILE"]).read().strip()
    d = browser("apikey")
    try:
        tap(login(d, u1, key), "with pam_apikey in Cockpit's PAM stack, %s logs in to Cockpit with a key" % u1)
        tap(open_page(d) and bool(rows(d)), "  ... and the page shows the keys")
    finally:
        d.quit()
    d = browser("apikey-wrong")
    try:
        wrong = key[:20] + ("A" if key[20] != "A" else "B") + key[21:]
        first = login_as(d, u1, wrong)
        final = first
        if first == "prompt":  # pam_apikey passed no key on: pam_unix asks for the password
            d.find_element(By.ID, "conversation-input").send_keys(wrong + Keys.ENTER)
            final = wait(d, lambda: login_outcome(d) if login_outcome(d) != "prompt" else None,
                         "the login's outcome", 30)
        tap(final == "error", "a key with one character changed does not log in to Cockpit (%s, then %s)"
            % (first, final))
    finally:
        d.quit()
    d = browser("apikey-pw")
    try:
        tap(login(d, u1, E["PW1"]), "  ... and the password still works (forward_pass)")
    finally:
        d.quit()


if __name__ == "__main__":
    try:
        {"page": phase_page, "admin": phase_admin, "apikey": phase_apikey}[sys.argv[1]]()
    except WebDriverException as ex:
        tap(False, "the browser run ended early", ex.msg)
    print("TAP_N=%d" % N)
    sys.exit(1 if FAILED else 0)
