#!/usr/bin/env python3
"""Turn the raw outputs of bench/run.sh into the table of issue 4.

    report.py OUT_DIR

Reads the bench.sh tables (NAME.md), the raw wrk outputs of the storm and
soak runs, hyperfine's JSON, the start-up and argon2 timings, and prints
one Markdown table: every figure, its reference, the ratio and the target.
A missing input leaves its row with "-"; nothing here fails on a figure.
"""

import json
import re
import statistics
import sys
from pathlib import Path

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")


def bench_table(name):
    """{endpoint: {column: value}} and the idle RSS of one bench.sh table."""
    path = OUT / f"{name}.md"
    if not path.exists():
        return {}, None
    text = path.read_text()
    idle = re.search(r"idle RSS ([\d.]+) MiB", text)
    rows, header = {}, None
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == "endpoint":
            header = cells
        elif header and not cells[0].startswith("-"):
            rows[cells[0]] = dict(zip(header, cells))
    return rows, float(idle.group(1)) if idle else None


def number(text):
    match = re.match(r"[\d.]+", text or "")
    return float(match.group(0)) if match else None


def wrk_duration_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk_raw(name):
    """req/s, p99 ms, failures of one raw wrk output."""
    path = OUT / name
    if not path.exists():
        return None
    text = path.read_text()
    result = {"rps": number(re.search(r"Requests/sec:\s*(\S+)", text).group(1))}
    p99 = re.search(r"^\s*99%\s+(\S+)", text, re.M)
    result["p99"] = wrk_duration_ms(p99.group(1)) if p99 else None
    non2 = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                     r"timeout (\d+)", text)
    fail = re.search(r"LOGIN_FAIL (\d+)", text)
    ok = re.search(r"LOGIN_OK (\d+)", text)
    result["failed"] = (int(non2.group(1)) if non2 else 0) + \
        (sum(map(int, sock.groups())) if sock else 0) + \
        (int(fail.group(1)) if fail else 0)
    result["ok"] = int(ok.group(1)) if ok else None
    return result


def row_failures(row):
    if not row:
        return 0
    total = int(number(row.get("non-2xx/3xx")) or 0)
    total += sum(int(x) for x in row.get("sock errors", "0").split("/")
                 if x.isdigit())
    logins = row.get("logins ok/failed", "")
    if "/" in logins:
        total += int(logins.split("/")[1] or 0)
    return total


def hyperfine_ms(name):
    """Median wall time and mean CPU time (user + system), in ms."""
    path = OUT / f"cli-{name}.json"
    if not path.exists():
        return None, None
    result = json.loads(path.read_text())["results"][0]
    return result["median"] * 1000, (result["user"] + result["system"]) * 1000


def match_ms(file, pattern):
    path = OUT / file
    if not path.exists():
        return None
    found = re.search(pattern, path.read_text())
    return float(found.group(1)) if found else None


def fmt(value, digits=1):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def verdict(value, limit, is_upper=False):
    if value is None or limit is None:
        return "-"
    return "met" if (value <= limit if is_upper else value >= limit) \
        else "**missed**"


def ratio(a, b):
    return a / b if a is not None and b else None


def main():
    mfo, idle = bench_table("mfo-10")
    login32, _ = bench_table("mfo-10-login32")
    big, _ = bench_table("mfo-100k")
    limit, _ = bench_table("limit")
    fst, _ = bench_table("fst")

    def rps(table, endpoint):
        return number(table.get(endpoint, {}).get("req/s"))

    def col(table, endpoint, column):
        return number(table.get(endpoint, {}).get(column))

    hash_ms = match_ms("pwhash.txt", r"verify given hash.*?median\s+([\d.]+)")
    ceiling = 1000 / hash_ms if hash_ms else None
    params = dict(line.split("=", 1) for line in
                  (OUT / "params.txt").read_text().split()
                  ) if (OUT / "params.txt").exists() else {}
    slots = int(params.get("hash_slots", 2))
    memory_mib = int(params.get("argon2_memory_kib", 65536)) / 1024

    rows = []

    def add(figure, value, reference, r, target, ok):
        rows.append((figure, value, reference, r, target, ok))

    home, home_limit = rps(mfo, "home"), rps(limit, "home")
    acc, acc_limit = rps(mfo, "account"), rps(limit, "account")
    add("GET / req/s", fmt(home), f"limit {fmt(home_limit)}",
        fmt(ratio(home, home_limit), 2), ">= 0.80 of limit",
        verdict(ratio(home, home_limit), 0.80))
    add("GET /account req/s (session)", fmt(acc),
        f"limit {fmt(acc_limit)}", fmt(ratio(acc, acc_limit), 2),
        ">= 0.75 of limit", verdict(ratio(acc, acc_limit), 0.75))
    add("GET /account vs Flask", fmt(acc), f"Flask {fmt(rps(fst, 'account'))}",
        fmt(ratio(acc, rps(fst, "account")), 0) + " x", "about 50 x",
        verdict(ratio(acc, rps(fst, "account")), 50))
    add("GET / vs Flask", fmt(home), f"Flask {fmt(rps(fst, 'home'))}",
        fmt(ratio(home, rps(fst, "home")), 0) + " x", "-", "-")
    # On a busy machine req/s follows the CPU the server gets; CPU time per
    # request does not, so its inverse ratio shows the capacity ratio.
    for endpoint, table, label in (("home", mfo, "GET /"),
                                   ("account", mfo, "GET /account"),
                                   ("admin", big, "GET /admin 100k")):
        own = col(table, endpoint, "server CPU ms/req")
        ref = col(limit, endpoint, "server CPU ms/req")
        add(f"{label}: server CPU ms/req", fmt(own, 3),
            f"limit {fmt(ref, 3)}", fmt(ratio(ref, own), 2),
            "capacity ratio (limit / mfo)", "-")
    adm10, adm_big = rps(mfo, "admin"), rps(big, "admin")
    adm_limit = rps(limit, "admin")
    add("GET /admin req/s, 100,000 users", fmt(adm_big),
        f"limit {fmt(adm_limit)}", fmt(ratio(adm_big, adm_limit), 2),
        ">= 0.50 of limit", verdict(ratio(adm_big, adm_limit), 0.50))
    add("GET /admin, 100,000 vs 10 users", fmt(adm_big),
        f"10 users {fmt(adm10)}", fmt(ratio(adm_big, adm10), 2),
        ">= 0.80", verdict(ratio(adm_big, adm10), 0.80))
    add("GET /admin vs Flask", fmt(adm10), f"Flask {fmt(rps(fst, 'admin'))}",
        fmt(ratio(adm10, rps(fst, "admin")), 0) + " x", "-", "-")
    # Each storm's ceiling: the mean of the hash timings just before and
    # just after it (see time_hash in run.sh), else the one at the start.
    pattern = r"verify given hash.*?median\s+([\d.]+)"
    storm_hash = {
        "4": [match_ms("pwhash-mfo-10-before.txt", pattern),
              match_ms("pwhash-mfo-10-after.txt", pattern)],
        "32": [match_ms("pwhash-mfo-10-after.txt", pattern),
               match_ms("pwhash-mfo-10-login32-after.txt", pattern)],
    }
    for name, table in (("4", mfo), ("32", login32)):
        logins = rps(table, "login")
        times = [t for t in storm_hash[name] if t]
        when = "timed around the storm" if times else "timed at the start"
        times = times or [hash_ms]
        run_ms = sum(times) / len(times) if times[0] else None
        run_ceiling = 1000 / run_ms if run_ms else None
        add(f"login storm, {name} connections, logins/s", fmt(logins, 2),
            f"ceiling {fmt(run_ceiling, 2)} (1 core / {fmt(run_ms)} ms,"
            f" {when})",
            fmt(ratio(logins, run_ceiling), 2), ">= 0.90 of ceiling",
            verdict(ratio(logins, run_ceiling), 0.90))
    storms = {}
    for conns, prefix in (("4", "storm"), ("32", "storm32")):
        storm = wrk_raw(f"{prefix}-account.txt")
        base = wrk_raw(f"{prefix}-base.txt")
        storms[prefix] = (storm, base, wrk_raw(f"{prefix}-login.txt"))
        # The baseline is the same server's /account load just before the
        # storm; older runs without one fall back to the GET run's p99.
        base_p99 = base["p99"] if base else col(mfo, "account", "p99 ms")
        storm_p99 = storm["p99"] if storm else None
        add(f"/account p99 ms during a {conns}-connection storm",
            fmt(storm_p99, 2), f"without storm {fmt(base_p99, 2)}",
            fmt(ratio(storm_p99, base_p99), 2) + " x", "<= 3 x",
            verdict(ratio(storm_p99, base_p99), 3, True))
        storm_login = storms[prefix][2]
        add(f"/account req/s during the {conns}-connection storm",
            fmt(storm and storm["rps"]),
            f"logins/s {fmt(storm_login and storm_login['rps'], 2)}", "-",
            "-", "-")
    add("RSS idle MiB", fmt(idle), "-", "-", "<= 12", verdict(idle, 12, True))
    peak32 = col(login32, "login", "peak RSS MiB")
    budget = 24 + slots * memory_mib
    add("peak RSS MiB, 32-connection storm", fmt(peak32),
        f"24 + {slots} hashes x {memory_mib:.0f} MiB", "-",
        f"<= {budget:.0f}", verdict(peak32, budget, True))
    peak_get = max((col(mfo, e, "peak RSS MiB") or 0)
                   for e in ("home", "account", "admin")) or None
    add("peak RSS MiB, GET runs (32 connections)", fmt(peak_get), "-", "-",
        "<= 24", verdict(peak_get, 24, True))
    soak = OUT / "soak-rss.txt"
    if soak.exists():
        samples = [tuple(map(int, line.split())) for line in
                   soak.read_text().splitlines() if len(line.split()) == 2]
        if len(samples) >= 4:
            span = samples[-1][0]
            first = max(r for t, r in samples if t <= 60 and t >= 10) / 1024
            last = max(r for t, r in samples if t >= span - 60) / 1024
            add(f"RSS MiB over a {span} s soak (max of 1st vs last minute)",
                fmt(last), f"first minute {fmt(first)}",
                fmt(last - first, 1) + " MiB", "no growth",
                verdict(last - first, 1.0, True))
    for name, figure, limit_ms in (("grant", "mfo role grant", 10),
                                   ("show", "mfo user show", 10),
                                   ("list", "mfo user list --json, 100k",
                                    1000)):
        value, cpu = hyperfine_ms(name)
        add(f"{figure} ms (median wall)", fmt(value),
            f"CPU {fmt(cpu)} ms; Flask CLI 1,500-2,600 ms", "-",
            f"<= {limit_ms}", verdict(value, limit_ms, True))
    start = match_ms("start.txt", r"median ms: ([\d.]+)")
    add("mfo serve: start to first answer ms", fmt(start), "-", "-",
        "<= 100", verdict(start, 100, True))
    failed = sum(row_failures(r) for t in (mfo, login32, big)
                 for r in t.values())
    runs = [x for triple in storms.values() for x in triple]
    runs += [wrk_raw("soak-account.txt"), wrk_raw("soak-login.txt")]
    failed += sum(x["failed"] for x in runs if x)
    add("failed requests, all mfo runs", str(failed), "-", "-", "0",
        "met" if failed == 0 else "**missed**")

    print("| figure | mfo | reference | ratio | target | |")
    print("|---|---:|---|---:|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    noise = [f"{name}/{e}: {r.get('other/steal %', '-')}"
             for name, t in (("mfo", mfo), ("100k", big), ("limit", limit))
             for e, r in t.items()]
    print()
    print("other/steal % on the server core per run: " + "; ".join(noise))


if __name__ == "__main__":
    main()
