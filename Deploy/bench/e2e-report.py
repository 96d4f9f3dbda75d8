#!/usr/bin/env python3
"""Turns one e2e-bench.sh result folder into the "End to end" section of docs/benchmarks.md and a
PNG plot (throughput and p99 per second for each run). Usage (e2e-bench.sh calls it):
    e2e-report.py OUT_DIR docs/benchmarks.md docs/benchmarks-e2e.png MAX FIXED_RATE FIXED_S STEADY_RATE STEADY_S
"""
import json, os, re, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

out, doc, png = sys.argv[1], sys.argv[2], sys.argv[3]
max_orders, fixed_rate, fixed_s, steady_rate, steady_s = (float(a) for a in sys.argv[4:9])
START, END = "<!-- e2e-bench:start -->", "<!-- e2e-bench:end -->"
TARGET_OPS, TARGET_P99, TARGET_REPLAY = 5000, 500, 20000


def read_kv(path):
    values = {}
    for line in open(path):
        if "=" in line:
            key, value = line.rstrip("\n").split("=", 1)
            values[key] = value
        elif line.strip():
            key, value = line.split(None, 1)
            values[key] = value.strip()
    return values


def cpu(label):
    before = {k: float(v) for k, v in read_kv(f"{out}/{label}.cpu-before").items()}
    after = {k: float(v) for k, v in read_kv(f"{out}/{label}.cpu-after").items()}
    return {k: after[k] - before.get(k, 0) for k in after}


machine = read_kv(f"{out}/machine.txt")
pgbench = open(f"{out}/pgbench.txt").read()
tps = float(re.search(r"tps = ([\d.]+)", pgbench).group(1))
broker = json.load(open(f"{out}/broker.json"))
replay = read_kv(f"{out}/replay.txt")
replay_plan = open(f"{out}/replay-plan.txt").read()
replay_messages = int(re.search(r"messages to reprocess: (\d+)", replay_plan).group(1))
replay_seconds = float(replay["replay_ms"]) / 1000
runs = {label: json.load(open(f"{out}/{label}.json")) for label in ("max", "fixed", "steady")}
cpus = {label: cpu(label) for label in runs}

events_per_order = cpus["max"]["events_processed"] / max(runs["max"]["accepted"], 1)
db_ceiling = tps * 100 / max(events_per_order, 0.001)
suite = runs["max"].get("endToEndOrdersPerSecond") or 0


def p(run, key="endToEnd"):
    return run.get(key) or {"p50": 0, "p95": 0, "p99": 0, "max": 0, "count": 0}


lines = [START, "", "## End to end: the whole suite under generated load (issue 10)", "",
         "`Deploy/bench/e2e-bench.sh` (release build, fresh service schemas, warehouses automatic). Load: "
         "`omsctl load --follow --mix promotion --zipf 1 --hold-rate 0.02 --concurrency 64` "
         "(web 45 %, mini-program 25 %, marketplace 15 %, phone 10 %, store tills 5 %, each in its native format; "
         "SKUs Zipf-skewed; 2 % phone cash-on-delivery orders over the limit that risk holds). End-to-end latency runs "
         "from the edge's 202 to the first `shipment.dispatched` of the order seen on `oms.logistics.shipments`; "
         "stage latencies from each stage's event timestamp to the next (intake = 202 to `order.received`). "
         "Everything (services, PostgreSQL, broker, load generator) shares the machine.", "",
         f"Machine: {machine.get('cpus')} cores ({machine.get('cpu_model')}), {machine.get('memory_gib')} GiB, "
         f"Linux {machine.get('kernel')}, PostgreSQL {machine.get('postgres')}, {machine.get('swift')}.", "",
         "### Ceilings of the machine", "",
         "| what | figure |", "|---|---:|",
         f"| PostgreSQL: pgbench of one stage batch (100 inbox + 100 state upserts + 100 outbox rows, COMMIT, relay UPDATE) | {tps:,.0f} batches/s = {tps * 100:,.0f} events/s |",
         f"| events applied per order by the whole pipeline (measured in the max run) | {events_per_order:.1f} |",
         f"| **database ceiling for orders** (events/s / events per order) | **{db_ceiling:,.0f} orders/s** |",
         f"| broker raw produce (acks=all, idempotent, linger 5 ms, 600-byte messages) | {broker['produced_per_second']:,} msgs/s |",
         f"| broker raw consume | {broker['consumed_per_second']:,} msgs/s |", "",
         "### The suite", "",
         "| run | offered | accepted | accepts/s | dispatched | not dispatched | e2e orders/s | e2e p50 | p95 | p99 | max | errors |",
         "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
for label, title in (("max", f"as fast as possible, {int(max_orders):,} orders"),
                     ("fixed", f"fixed {int(fixed_rate):,}/s for {int(fixed_s)} s"),
                     ("steady", f"fixed {int(steady_rate):,}/s for {int(steady_s)} s")):
    r = runs[label]
    e = p(r)
    missing = ", ".join(f"{k} {v}" for k, v in sorted((r.get("notDispatched") or {}).items())) or "-"
    lines.append(f"| {title} | {r['orders']:,} | {r['accepted']:,} | {r['acceptsPerSecond']:,.0f} | {r.get('dispatched', 0):,} of {r.get('expectedDispatches', 0):,} "
                 f"| {missing} | {r.get('endToEndOrdersPerSecond', 0):,.0f} | {e['p50']:,.0f} ms | {e['p95']:,.0f} ms | {e['p99']:,.0f} ms | {e['max']:,.0f} ms | {r['errors']} |")
lines += ["", "Per-stage p50 / p99 (ms):", "", "| run | intake | risk | inventory | fulfillment | logistics |", "|---|---:|---:|---:|---:|---:|"]
for label in runs:
    stages = runs[label].get("stages") or {}
    cells = [f"{stages[s]['p50']:,.0f} / {stages[s]['p99']:,.0f}" if s in stages else "-" for s in ("intake", "risk", "inventory", "fulfillment", "logistics")]
    lines.append(f"| {label} | " + " | ".join(cells) + " |")
lines += ["", "Where the CPU went (CPU seconds during the run; share of the machine's busy time):", "",
          "| run | " + " | ".join(["intake", "risk", "inventory", "fulfillment", "logistics", "aftersales", "postgres", "broker", "rest (load generator, OS)"]) + " | CPU ms per accepted order |",
          "|---|" + "---:|" * 10]
for label in runs:
    c = cpus[label]
    busy = max(c.get("machine_busy", 0), 0.001)
    parts = ["intake", "risk", "inventory", "fulfillment", "logistics", "aftersales", "postgres", "broker"]
    accounted = sum(c.get(k, 0) for k in parts)
    cells = [f"{c.get(k, 0):.0f} s ({100 * c.get(k, 0) / busy:.0f} %)" for k in parts]
    cells.append(f"{max(busy - accounted, 0):.0f} s ({100 * max(busy - accounted, 0) / busy:.0f} %)")
    lines.append(f"| {label} | " + " | ".join(cells) + f" | {1000 * busy / max(runs[label]['accepted'], 1):.1f} |")
lines += ["", "Where the database's time went in the max run (`pg_stat_statements`, top statements by total execution time):", "",
          "| total ms | calls | mean ms | rows | statement |", "|---:|---:|---:|---:|---|"]
statements_path = f"{out}/max.statements.tsv"
for row in (open(statements_path).read().splitlines() if os.path.exists(statements_path) else [])[:10]:
    fields = row.split("\t")
    if len(fields) == 5:
        statement = fields[4].replace("|", "\\|")
        lines.append(f"| {int(fields[0]):,} | {int(fields[1]):,} | {fields[2]} | {int(fields[3]):,} | `{statement[:110]}` |")
replay_rate_with_join = replay_messages / max(replay_seconds, 0.001)
replay_after_join_seconds = float(replay.get("replay_after_join_ms", replay["replay_ms"])) / 1000
replay_after_join_messages = int(replay.get("replay_after_join_messages", replay_messages))
replay_rate = replay_after_join_messages / max(replay_after_join_seconds, 0.001)
fixed_p99 = p(runs["fixed"])["p99"]
lines += ["", "### Against the targets", "",
          "| target | measured | verdict |", "|---|---:|---|",
          f"| >= {TARGET_OPS:,} orders/s sustained end to end | {suite:,.0f} orders/s | "
          + ("met" if suite >= TARGET_OPS else f"missed by {TARGET_OPS / max(suite, 0.001):.0f}x") + " |",
          f"| p99 end to end <= {TARGET_P99} ms at {int(fixed_rate):,} orders/s | p99 {fixed_p99:,.0f} ms at {runs['fixed']['acceptsPerSecond']:,.0f} accepted/s | "
          + ("met" if fixed_p99 <= TARGET_P99 and runs['fixed']['acceptsPerSecond'] >= 0.95 * fixed_rate else "missed: the offered rate is above what the suite sustains here, so orders queue") + " |",
          f"| replay a stage at >= {TARGET_REPLAY:,} events/s | {replay_rate:,.0f} events/s ({replay_after_join_messages:,} messages in {replay_after_join_seconds:.1f} s from the first; "
          f"{replay_rate_with_join:,.0f}/s counting the group join: {replay_messages:,} in {replay_seconds:.1f} s) | "
          + ("met" if replay_rate >= TARGET_REPLAY else f"missed by {TARGET_REPLAY / max(replay_rate, 0.001):.1f}x") + " |",
          "", f"Suite throughput / database ceiling: **{suite / max(db_ceiling, 0.001):.2f}**.", "",
          "![throughput and p99 over time](benchmarks-e2e.png)", "", END]
section = "\n".join(lines) + "\n"

text = open(doc).read()
if START in text and END in text:
    text = text[:text.index(START)] + section.rstrip("\n") + text[text.index(END) + len(END):]
else:
    text = text.rstrip("\n") + "\n\n" + section
open(doc, "w").write(text)

fig, axes = plt.subplots(2, 3, figsize=(15, 7), sharex="col")
for column, label in enumerate(("max", "fixed", "steady")):
    timeline = runs[label].get("timeline") or []
    seconds = [t["second"] for t in timeline]
    axes[0][column].plot(seconds, [t["accepted"] for t in timeline], label="accepted/s")
    axes[0][column].plot(seconds, [t["dispatched"] for t in timeline], label="dispatched/s")
    axes[0][column].set_title({"max": "as fast as possible", "fixed": f"fixed {int(fixed_rate)}/s", "steady": f"fixed {int(steady_rate)}/s"}[label])
    axes[0][column].legend()
    dispatching = [t for t in timeline if t["dispatched"] > 0]
    axes[1][column].plot([t["second"] for t in dispatching], [t["endToEndP99"] for t in dispatching], color="tab:red")
    axes[1][column].set_ylabel("e2e p99 of orders dispatched that second (ms)")
    axes[1][column].set_xlabel("seconds since the first submission")
axes[0][0].set_ylabel("orders per second")
fig.tight_layout()
fig.savefig(png, dpi=80)
print(section)
