"""Reads while writes queue: one slow staging (a large file) holds the server's writer, WRITES
small stagings queue behind it (spread over the given keys, so that no key reaches its own task
cap), and a reader meanwhile lists the datasets and asks whoami, one request after another, until
the slow staging has ended. Prints the writes accepted and refused, and the reads'
latencies (p50, p99, max); then a JSON line.

    queued_writes.py ENDPOINT SLOW_FILE SMALL_FILE WRITES KEY...
"""
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

endpoint, slow, small, writes, keys = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
U = f"{endpoint}/v1/equity/uploaders/exposures"


def stage(client, key, path, dataset):
    with path.open("rb") as f:
        r = client.post(f"{U}/{dataset}/stage-file", params={"api_key": key, "name": "", "replace": "true"},
                        files={"file": (path.name, f, "application/octet-stream")})
    return r.json()["task_id"] if r.status_code == 202 else None


def ready(client, key, task):
    return client.get(f"{endpoint}/v1/tasks/{task}/ready", params={"api_key": key}).json() is True


client = httpx.Client(timeout=600)
slow_task = stage(client, keys[0], slow, "Slow")
assert slow_task, "the slow staging was refused"
# The small writes, sent from a few threads at once.
tasks, refused, lock = [], [], threading.Lock()


def sender(n, offset):
    with httpx.Client(timeout=600) as c:
        for i in range(n):
            key = keys[(offset + i) % len(keys)]
            task = stage(c, key, small, "Queued")
            with lock:
                (tasks.append((key, task)) if task else refused.append(key))


threads = [threading.Thread(target=sender, args=(writes // 4 + (1 if t < writes % 4 else 0), t)) for t in range(4)]
for t in threads:
    t.start()
latencies = []
reader = httpx.Client(timeout=600)
# Reads while the slow staging runs and the writes queue behind it.
while not ready(reader, keys[0], slow_task):
    for path in ("/v1/equity/uploaders/exposures", "/v1/auth/users/whoami"):
        t0 = time.perf_counter()
        r = reader.get(f"{endpoint}{path}", params={"api_key": keys[-1]})
        latencies.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text[:200]
for t in threads:
    t.join()
ms = sorted(x * 1000 for x in latencies)
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(f"{len(tasks)} writes queued, {len(refused)} refused")
print(f"{len(ms)} reads while the slow staging ran: p50 {statistics.median(ms):.1f} ms, p99 {p(0.99):.1f} ms, max {ms[-1]:.1f} ms")
print(json.dumps({"queued": len(tasks), "refused": len(refused), "reads": len(ms), "p50_ms": round(statistics.median(ms), 2),
                  "p99_ms": round(p(0.99), 2), "max_ms": round(ms[-1], 2)}))
