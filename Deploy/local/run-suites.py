#!/usr/bin/env python3
"""Runs the test suites one process per integration suite, each under a deadline.

Why: one `swift test` process for everything lets a single stuck call (a librdkafka close waiting
on a broker group that never forms, see README "Known broker issues") hang the whole run until
CI's limit, with nothing in the log saying where. Here every integration suite runs in its own
process with a deadline; a suite that passes its deadline gets its threads' backtraces dumped
(gdb) into .oms/logs/tests/, is killed, and runs once more on a restarted broker. A suite that
fails runs once more too (the local broker can leave a consumer group stuck); every retry is
listed in the summary, and a suite that fails twice fails the run.

Usage: run-suites.py XCTEST_BINARY   (environment from `oms-stack.sh infra`)
Environment: OMS_SUITE_DEADLINE_SECONDS (300 per integration suite), OMS_UNIT_DEADLINE_SECONDS (300),
OMS_SUITES (a regular expression: only the suites it matches, e.g. "Recovery|Kafka").
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATE = os.environ.get("OMS_STACK_DIR", os.path.join(REPO, ".oms"))
LOGS = os.path.join(STATE, "logs", "tests")
SUITE_DEADLINE = int(os.environ.get("OMS_SUITE_DEADLINE_SECONDS", "300"))
UNIT_DEADLINE = int(os.environ.get("OMS_UNIT_DEADLINE_SECONDS", "300"))
INTEGRATION_MODULE = "PlatformIntegrationTests"


def list_tests(xctest):
    out = subprocess.run([xctest, "--testing-library", "swift-testing", "--list-tests"],
                         capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in out.splitlines() if "/" in line and "." in line.split("/")[0]]


def plan(tests):
    """Unit modules together (pure logic, fast), each integration suite on its own."""
    suites = sorted({t.split("/")[0] for t in tests})
    only = os.environ.get("OMS_SUITES")
    if only:
        suites = [s for s in suites if re.search(only, s)]
    unit = [s for s in suites if not s.startswith(INTEGRATION_MODULE + ".")]
    integration = [s for s in suites if s.startswith(INTEGRATION_MODULE + ".")]
    runs = []
    if unit:
        runs.append(("unit tests (%d suites)" % len(unit), unit, UNIT_DEADLINE))
    runs += [(s, [s], SUITE_DEADLINE) for s in integration]
    return runs


def dump_threads(pid, path):
    """Every thread's backtrace of the stuck test process, for the log and the team."""
    try:
        result = subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx", "-ex", "set pagination off",
                                 "-ex", "thread apply all bt 25"], capture_output=True, text=True, timeout=180)
        text = result.stdout + result.stderr
    except (OSError, subprocess.TimeoutExpired) as error:
        text = "gdb unavailable or stuck: %s\n" % error
    try:  # Swift symbols readable: KafkaConsumer.close() rather than $s8OMSKafka13KafkaConsumerC5closeyyYaF
        text = subprocess.run(["swift", "demangle", "--simplified"], input=text, capture_output=True, text=True, timeout=60).stdout or text
    except (OSError, subprocess.TimeoutExpired):
        pass
    with open(path, "w") as f:
        f.write(text)
    # The frames that say where: ours and librdkafka's blocking entry points.
    interesting = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#") and re.search(r"rd_kafka_(consumer_close|destroy|flush|committed|list_groups|query_watermark_offsets|new) |/(Shared|Services|Tests)/", line) and line not in interesting:
            interesting.append(line[:220])
    return interesting[:30]


def run_once(xctest, label, suites, deadline, attempt):
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
    log_path = os.path.join(LOGS, "%s.%d.log" % (safe, attempt))
    regex = "|".join("^%s/" % re.escape(s) for s in suites)
    started = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen([xctest, "--testing-library", "swift-testing", "--filter", regex],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                                   start_new_session=True)
        timed_out = threading.Event()

        def watchdog():
            if process.poll() is None:
                timed_out.set()
                print("[tests] %s passed its %d s deadline; dumping threads (pid %d)" % (label, deadline, process.pid), flush=True)
                frames = dump_threads(process.pid, log_path.replace(".log", ".threads.txt"))
                for frame in frames:
                    print("[tests]   " + frame, flush=True)
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

        timer = threading.Timer(deadline, watchdog)
        timer.start()
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
        process.wait()
        timer.cancel()
    elapsed = time.monotonic() - started
    if timed_out.is_set():
        return "hung", elapsed
    return ("passed" if process.returncode == 0 else "failed (exit %d)" % process.returncode), elapsed


def restart_broker(xctest):
    stack = os.path.join(REPO, "Deploy", "local", "oms-stack.sh")
    subprocess.run([stack, "restart-broker"], check=True, stdout=subprocess.DEVNULL)
    omsctl = os.path.join(os.path.dirname(xctest), "omsctl")
    subprocess.run([omsctl, "topics", "ensure", "--bootstrap-server", os.environ["OMS_KAFKA_BROKERS"]],
                   check=True, stdout=subprocess.DEVNULL)


def main():
    xctest = sys.argv[1]
    os.makedirs(LOGS, exist_ok=True)
    runs = plan(list_tests(xctest))
    print("[tests] %d runs: unit modules together, integration suites one process each (deadline %d s)"
          % (len(runs), SUITE_DEADLINE), flush=True)
    summary = []
    begun = time.monotonic()
    for label, suites, deadline in runs:
        outcome, elapsed = run_once(xctest, label, suites, deadline, 1)
        attempts = [(outcome, elapsed)]
        if outcome != "passed":
            print("[tests] %s %s; once more on a restarted broker" % (label, outcome), flush=True)
            restart_broker(xctest)
            attempts.append(run_once(xctest, label, suites, deadline, 2))
        summary.append((label, attempts))
    print("\n[tests] summary (%.0f s)" % (time.monotonic() - begun))
    failed = 0
    for label, attempts in summary:
        final = attempts[-1][0]
        failed += final != "passed"
        detail = " then ".join("%s in %.0f s" % a for a in attempts)
        flag = "RETRIED " if len(attempts) > 1 else ""
        print("  %-60s %s%s" % (label, flag, detail))
    if failed:
        print("[tests] %d run(s) failed twice" % failed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
