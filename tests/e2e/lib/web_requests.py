"""GETs URL with Python requests and HTTPBasicAuth, as a program calling an
API would (the README's recipe): USER with the key in KEYFILE, then with a
wrong key; the server's certificate verified against CAFILE.

usage: web_requests.py URL USER KEYFILE CAFILE
Prints: STATUS BODY WRONG-KEY-STATUS
"""
import sys

import requests
from requests.auth import HTTPBasicAuth

url, user, keyfile, cafile = sys.argv[1:5]
with open(keyfile) as f:
    key = f.read().strip()
ok = requests.get(url, auth=HTTPBasicAuth(user, key), verify=cafile, timeout=30)
bad = requests.get(url, auth=HTTPBasicAuth(user, key[:-1] + ("A" if key[-1] != "A" else "B")),
                   verify=cafile, timeout=30)
print(ok.status_code, ok.text.strip(), bad.status_code)
