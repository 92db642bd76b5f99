"""Many clients at once against a Riskdesk server, speaking the platform's HTTP API the way the
official client does (API key in the query, tasks polled until ready), but polling every 20 ms
instead of the client's 500 ms so that latencies measure the server. A third of the clients stage
a day file each round, a third read a committed detail summary, a third fetch a month of exposures
(report, then its accessor's frame). Prints a table and a JSON line.

    load.py ENDPOINT API_KEY DAYS_DIR CLIENTS ROUNDS
"""
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

endpoint, key, days_dir, clients, rounds = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
files = sorted(days_dir.glob("*.csv"))
U = f"{endpoint}/v1/equity/uploaders/exposures"
REPORT = {"settings": {"report_type": "exposure", "universe_settings": {"id_type": "bayesid", "calendar": {"filters": [["XNYS"]]},
          "categorical_filters": [], "portfolio_filter": None, "mcap_filter": {"lower": 0.0, "upper": 1e20}},
          "exposure_settings": {"exposures": [], "orthogonalization_weights": "SqrtCap"}, "standardize_universe_settings": None,
          "filter_tradedays": False, "core_only": True},
          "dataset": "My-Risk-Dataset", "report_args": [], "report_kwargs": {"start_date": None, "end_date": None}}


def result(client, response, kind):
    assert response.status_code == 202, response.text
    task = response.json()["task_id"]
    while client.get(f"{endpoint}/v1/tasks/{task}/ready", params={"api_key": key}).json() is not True:
        time.sleep(0.02)
    r = client.get(f"{endpoint}/v1/tasks/{task}/result", params={"api_key": key, "type": kind})
    assert r.status_code == 200, r.text
    return r


def stage(client, i, round_):
    path = files[(i // 3) * rounds + round_]
    with path.open("rb") as f:
        r = client.post(f"{U}/Load/stage-file", params={"api_key": key, "name": "", "replace": "false"},
                        files={"file": (path.name, f, "text/csv")})
    assert result(client, r, "json").json()["success"]


def detail(client, i, round_):
    result(client, client.get(f"{U}/My-Exposures/detail-summary", params={"api_key": key}), "dataframe")


def exposures(client, i, round_):
    calc = client.post(f"{endpoint}/v1/equity/report/calculate", params={"api_key": key}, json=REPORT).json()
    body = {"accessor_id": calc["accessor_id"], "path": [], "expand": ["date", "asset_id"], "pivot_cols": ["factor_group", "factor"],
            "value_cols": ["exposure"], "filters": None, "pivot_total": False, "absent": "drop"}
    r = client.post(f"{endpoint}/v1/equity/report/accessor/data", params={"api_key": key, "task_id": ""}, json=body)
    assert r.status_code == 200 and len(r.content) > 1000, r.text[:200]


KINDS = [("stage a day", stage), ("detail summary", detail), ("month of exposures", exposures)]
latencies = {name: [] for name, _ in KINDS}
errors = []
lock = threading.Lock()


def worker(i):
    name, call = KINDS[i % 3]
    with httpx.Client(timeout=900) as client:
        for round_ in range(rounds):
            t0 = time.perf_counter()
            try:
                call(client, i, round_)
            except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    errors.append(f"{name}: {e!r}"[:300])
                continue
            with lock:
                latencies[name].append(time.perf_counter() - t0)


start = time.perf_counter()
threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
wall = time.perf_counter() - start


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))] if xs else float("nan")


done = sum(len(v) for v in latencies.values())
print(f"{clients} clients x {rounds} rounds: {done} requests in {wall:.1f} s = {done / wall:.2f} requests/s, {len(errors)} failed")
print(f"{'operation':<20} {'n':>4} {'p50 s':>8} {'p99 s':>8} {'max s':>8}")
for name, xs in latencies.items():
    print(f"{name:<20} {len(xs):>4} {pct(xs, 50):>8.3f} {pct(xs, 99):>8.3f} {max(xs, default=float('nan')):>8.3f}")
for e in errors[:5]:
    print("failed:", e)
print(json.dumps({"requests": done, "seconds": round(wall, 2), "failed": len(errors),
                  "p50": {k: statistics.median(v) if v else None for k, v in latencies.items()}}))
