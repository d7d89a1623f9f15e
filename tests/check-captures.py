#!/usr/bin/env python3
"""Issue 3's acceptance: on every capture fixture (fixtures/captures, made
with openssl and tcpdump; expected.json says what each holds), ewdiag's
finding carries the right certificate, trust verdict and name check, and
its inventory counts the certificates tshark counts.
    check-captures.py EWDIAG   (run from the project root)"""
import json
import subprocess
import sys

ROOT = "fixtures/captures/"
NAME_MATCH = {"DNS_SAN": "dns-san", "CN": "cn", "IP_SAN_ONLY": "ip-san-only", "ABSENT": "absent"}
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {what} {detail}")


def run(ewdiag, path):
    p = subprocess.run([ewdiag, "-f", "json", ROOT + path], capture_output=True, text=True)
    return json.loads(p.stdout)


def check_inventory(key, doc, tshark):
    certs = sum(len(c["certificates"]) * c["seen"] for s in doc["tls_servers"] for c in s["chains"])
    msgs = sum(s["certificate_messages"] for s in doc["tls_servers"])
    check(f"{key}: certificates as tshark", certs == tshark["certificates"], f"{certs} != {tshark['certificates']}")
    check(f"{key}: Certificate messages as tshark", msgs == tshark["frames_with_certificate"],
          f"{msgs} != {tshark['frames_with_certificate']}")


def check_finding(key, f, server):
    tls, cert, trust = f["tls"], f["certificate"], f["trust"]
    check(f"{key}: handshake matched", tls["capture"] == "matched", tls["capture"])
    check(f"{key}: port", f"{f['address']}:{tls['port']}" == server["address"], str(tls["port"]))
    alerts = [a["code"] for a in server["alerts"]]
    check(f"{key}: alert", (tls["alert"] or {}).get("code") in (alerts or [None]), str(tls["alert"]))
    if server["cert_state"] == "encrypted":
        check(f"{key}: certificate hidden", tls["certificate"] == "encrypted" and cert is None, str(tls))
        return
    want = [c["subject_cn"] for c in server["chain"]]
    got = [c["subject_cn"] for c in cert["chain"]]
    check(f"{key}: chain", got == want, f"{got} != {want}")
    check(f"{key}: leaf sha256", cert["chain"][0]["sha256"] == server["chain"][0]["sha256"])
    check(f"{key}: name check", cert["name_match"] == NAME_MATCH[server["name_match"]], cert["name_match"])
    exp = server["trust"]
    if exp["text"] == "OK":
        check(f"{key}: trusted", trust is not None and trust["trusted"], str(trust))
    else:
        check(f"{key}: trust verdict", trust is not None and not trust["trusted"] and
              trust["error"] == exp["text"] and trust["error_depth"] == exp["depth"], str(trust))


def main():
    ewdiag = sys.argv[1]
    expected = json.load(open(ROOT + "expected.json"))
    for b in expected["bundles"]:
        doc = run(ewdiag, b["bundle"])
        check_inventory(b["key"], doc, b["tshark"])
        findings = doc["findings"]
        check(f"{b['key']}: one finding or none", len(findings) == (1 if b["finding"] else 0), str(len(findings)))
        if b["finding"] and findings:
            check_finding(b["key"], findings[0], b["servers"][0])
    inv = expected["inventory"]
    for name in (inv["pcap"], inv["pcapng"]):
        doc = run(ewdiag, name)
        check_inventory(name, doc, inv["tshark"])
        check(f"{name}: servers", len(doc["tls_servers"]) == len({s["address"] for s in inv["servers"]}),
              str(len(doc["tls_servers"])))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
