"""GETs URL with Python requests and HTTPBasicAuth, as a program calling an
API would: USER with the key in KEYFILE, then with a wrong key.

usage: web_requests.py URL USER KEYFILE
Prints: STATUS BODY WRONG-KEY-STATUS (the certificate is the test's own:
not verified).
"""
import sys
import warnings

import requests
from requests.auth import HTTPBasicAuth

warnings.filterwarnings("ignore")  # the unverified certificate
url, user, keyfile = sys.argv[1:4]
with open(keyfile) as f:
    key = f.read().strip()
ok = requests.get(url, auth=HTTPBasicAuth(user, key), verify=False, timeout=30)
bad = requests.get(url, auth=HTTPBasicAuth(user, key[:-1] + ("A" if key[-1] != "A" else "B")),
                   verify=False, timeout=30)
print(ok.status_code, ok.text.strip(), bad.status_code)
