#!/usr/bin/env python3
"""The forecast (issue 10) through the binding: on the pre-upgrade bundle
of fixtures/forecast, each origin server and each forecast, as
fixtures/forecast/expected.json says the capture holds them."""
import glob
import json
import unittest

import ewdiag


def bundle(kind):
    (path,) = glob.glob(f"fixtures/forecast/{kind}/diagnostic_log_*.tar.gz")
    return path


class Forecast(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = json.load(open("fixtures/forecast/expected.json"))
        cls.analyzer = ewdiag.Analyzer()

    def origins(self, report):
        return {(o.address, o.port): o for o in report.inputs[0].origins}

    def forecasts(self, report):
        return {(f.rule, f.address, f.ports[0]): f for f in report.findings if f.forecast}

    def test_pre_upgrade(self):
        r = self.analyzer.analyze(bundle("pre-upgrade"))
        o, fc, e = self.origins(r), self.forecasts(r), self.exp
        addr, port, name, error, depth = e["untrusted"]
        f = fc[("ts-origin-verify-forecast", addr, port)]
        self.assertEqual(f.severity, ewdiag.Severity.WARNING)
        self.assertEqual((f.server, f.error, f.depth), (name, error, depth))
        self.assertEqual(f.forecast.section, "before-upgrade")
        self.assertEqual(f.forecast.enforcement, "before-x14.2")
        self.assertEqual(f.forecast.fails, ("untrusted",))
        self.assertEqual(f.count, 0)
        self.assertTrue(any("X14.1.1" in x for x in f.explanations))
        # The fixes are those of the failure rule of that check.
        self.assertTrue(any("trust store" in a for a in f.actions))
        addr, port, name, dns = e["name"]
        f = fc[("ts-origin-verify-forecast", addr, port)]
        self.assertEqual((f.target, f.forecast.fails), (name, ("name",)))
        self.assertEqual(f.certificate.name_match, "absent")
        self.assertEqual(f.certificate.chain[0].san_dns, tuple(dns))
        self.assertTrue(any("System > Server" in a for a in f.actions))
        addr, port, name, day = e["expiring"]
        f = fc[("ts-origin-cert-expiring", addr, port)]
        self.assertEqual((f.server, f.severity, f.forecast.expiry), (name, ewdiag.Severity.WARNING, "expiring"))
        self.assertEqual(f.forecast.not_after.strftime("%Y-%m-%d"), day)
        self.assertTrue(0 <= f.forecast.days_left <= 10)
        addr, port, name, day = e["expired"]
        f = fc[("ts-origin-cert-expiring", addr, port)]
        self.assertEqual((f.severity, f.forecast.expiry), (ewdiag.Severity.ERROR, "expired"))
        self.assertLess(f.forecast.days_left, 0)
        # Healthy, not checked, SIP: no forecast; only the last two unchecked or absent.
        addr, port, _ = e["healthy"]
        self.assertEqual((o[(addr, port)].trust, o[(addr, port)].name_check, o[(addr, port)].expiry),
                         ("trusted", "dns-san", "none"))
        self.assertFalse([k for k in fc if k[1:] == (addr, port)])
        addr, port, name = e["not_checked"]
        self.assertEqual((o[(addr, port)].state, o[(addr, port)].name), ("no-handshake", name))
        self.assertEqual(o[(addr, port)].sources, ("request", "xconf"))
        self.assertNotIn(tuple(e["sip"]), o)
        self.assertFalse([k for k in fc if k[1:] == tuple(e["sip"])])
        self.assertEqual(len(fc), 5)

    def test_enforced_node_adds_no_refusal(self):
        r = self.analyzer.analyze(bundle("enforced"))
        fc = self.forecasts(r)
        self.assertEqual(sorted(k[0] for k in fc), ["ts-origin-cert-expiring"] * 2)
        self.assertEqual({f.forecast.section for f in fc.values()}, {"before-expiry"})
        logs = [f for f in r.findings if not f.forecast]
        self.assertEqual(sorted(f.rule for f in logs), ["ts-origin-cert-untrusted", "ts-origin-sni-mismatch"])

    def test_expiry_window_option(self):
        a = ewdiag.Analyzer(expiry_window=0)
        r = a.analyze(bundle("verify-off"))
        self.assertEqual([f.forecast.expiry for f in r.findings if f.rule == "ts-origin-cert-expiring"],
                         ["expired"])


if __name__ == "__main__":
    unittest.main()
