"""Load test (`make load`): 50 simulated councillors and directors reading dashboards while 5
finance officers save forecasts, for LOAD_SECONDS (default 60), against gunicorn on loopback.

It starts its own service and embedded PostgreSQL in a temporary folder, loads the demo, and
afterwards checks in the database that every accepted save is there exactly once: the final
figure is the last one accepted, the version counts every save, and there is one audit row per
save. Prints requests per second, latency percentiles and errors; exits 1 on any error or lost or
duplicated save. Traffic goes to 127.0.0.1 only and stops by itself.

Then, when `wrk` is on the PATH (Debian package `wrk`), it measures each page's throughput alone
under 50 connections (THROUGHPUT_SECONDS each, default 10) beside a trivial view on the same
server, and prints each page's requests per second as a share of the trivial view's. The trivial
view is `/signed-in`: a signed-in request through the same middleware, session, sign-in and role
check as every page, answering a few bytes of JSON. The health check (`/healthz`, answered before
the session is read) is printed too, for scale. The comparison is printed, not asserted.
"""

import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server_process import ServiceProcess, manage, stop_postgres  # noqa: E402

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
READERS, WRITERS = 50, 5
PASSWORD = "Load-test-password-2018"  # noqa: S105 (throwaway test database)
READ_PAGES = [
    "/",
    "/budgets/",
    "/budgets/CYP/CSC/?year=2018/19&period=6",
    "/budgets/CYP/CSC/forecast/?year=2018/19&period=6",
]
FORECAST = "/budgets/CYP/CSC/forecast/?year=2018/19&period=6"
THROUGHPUT_SECONDS = int(os.environ.get("THROUGHPUT_SECONDS", "10"))
# (label, path, the share of the trivial view's requests per second issue 19 aims for)
THROUGHPUT_PAGES = [
    ("overview", "/", 0.5),
    ("looked-after children", "/placements/", 0.5),
    ("agency staff", "/workforce/", 0.5),
    ("budgets list", "/budgets/", 0.5),
    ("forecast entry", FORECAST, 1 / 3),
]

SETUP = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from budgets.models import BudgetLine, Service
User = get_user_model()
csc = Service.objects.get(code="CSC")
readers = Group.objects.get(name="Scrutiny member")
officers = Group.objects.get(name="Finance officer")
for n in range({READERS}):
    u, _ = User.objects.get_or_create(username=f"reader{{n}}")
    u.set_password("{PASSWORD}"); u.save(); u.groups.add(readers)
for n in range({WRITERS}):
    u, _ = User.objects.get_or_create(username=f"officer{{n}}")
    u.set_password("{PASSWORD}"); u.save(); u.groups.add(officers)
    csc.finance_officers.add(u)
print(json.dumps([l.pk for l in BudgetLine.objects.filter(service=csc).order_by("code")]))
"""


class Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, float]:
        assert self.base.startswith("http://127.0.0.1:")  # loopback only
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:  # noqa: S310
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        return status, text, time.perf_counter() - started

    def login(self, username: str) -> None:
        _, page, _ = self.request("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _ = self.request(
            "/accounts/login/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        if status != 302:
            raise RuntimeError(f"{username} could not sign in ({status})")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.accepted: dict[int, list[str]] = defaultdict(list)
        self.conflicts = 0

    def record(self, status: int, seconds: float, what: str, expected=(200, 302)) -> bool:
        with self.lock:
            self.latencies.append(seconds)
            if status not in expected:
                self.errors.append(f"{what}: {status}")
                return False
        return True


def counted_as_errors(simulate):
    """A simulated user whose thread fails (a page that no longer has the form it expects, a
    dropped connection) is an error of the run, never a silent end of its traffic."""

    def run(base, n, *args):
        results = args[-1]
        try:
            simulate(base, n, *args)
        except Exception as exc:  # noqa: BLE001 (reported as the run's error)
            with results.lock:
                results.errors.append(f"{simulate.__name__} {n} stopped: {exc!r}")

    return run


@counted_as_errors
def reader(base, n, stop, results):
    session = Session(base)
    session.login(f"reader{n}")
    i = n
    while not stop.is_set():
        page = READ_PAGES[i % len(READ_PAGES)]
        status, _, seconds = session.request(page)
        results.record(status, seconds, page)
        i += 1


@counted_as_errors
def writer(base, n, lines, stop, results):
    session = Session(base)
    session.login(f"officer{n}")
    value = 1_000_000 + n * 10_000
    while not stop.is_set():
        status, page, seconds = session.request(FORECAST)
        if not results.record(status, seconds, "forecast page"):
            continue
        form = form_fields(page)
        value += 1
        for line in lines:
            form[f"outturn-{line}"] = str(value)
            form[f"commentary-{line}"] = f"load test save {value}"
        status, text, seconds = session.request(FORECAST, form)
        if status == 302:
            with results.lock:
                for line in lines:
                    results.accepted[line].append(str(value))
        elif status == 400 and "while you were editing" in text:
            with results.lock:
                results.conflicts += 1  # refused, not lost: the officer re-reads and tries again
            results.record(302, seconds, "save")
        else:
            results.record(status, seconds, "save")


def form_fields(page: str) -> dict:
    fields = {}
    start = re.search(r'<form[^>]*id="forecast-form"[^>]*>', page)
    if start is None:
        raise ValueError("the forecast page has no forecast form")
    form = page[start.end() :].split("</form>", 1)[0]
    for match in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        fields[match.group(1)] = match.group(2)
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form):
        fields[match.group(1)] = match.group(2)
    return fields


CHECK = """
import json
from budgets.models import AuditEntry, Forecast
rows = {}
for f in Forecast.objects.filter(line_id__in=%s, period__year__start_year=2018, period__number=6):
    saves = AuditEntry.objects.filter(object_type="budgets.Forecast", object_id=str(f.pk),
                                      field="outturn").count()
    rows[f.line_id] = [str(f.outturn), f.version, saves]
print(json.dumps(rows))
"""


def wrk_rate(url: str, cookie: str) -> tuple[float, int]:
    """(requests per second, non-2xx/3xx responses) of `url` under 50 connections."""
    assert url.startswith("http://127.0.0.1:")  # loopback only
    command = ["wrk", "-t2", "-c50", f"-d{THROUGHPUT_SECONDS}s", "-H", f"Cookie: {cookie}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(bad.group(1)) if bad else 0


def throughput(base: str) -> list[str]:
    """Each page alone under 50 connections beside the trivial view; returns problems."""
    session = Session(base)
    session.login("officer0")  # a finance officer: reads every page, the forecast grid too
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.jar)
    for _, path, _ in THROUGHPUT_PAGES:  # warm every worker's view of the page
        for _ in range(8):
            session.request(path)
    health, bad = wrk_rate(base + "/healthz", "")
    problems = [f"health check: {bad} error responses"] if bad else []
    trivial, bad = wrk_rate(base + "/signed-in", cookie)
    problems += [f"trivial view: {bad} error responses"] if bad else []
    print(f"throughput under 50 connections, {THROUGHPUT_SECONDS}s each (wrk):")
    print(f"  health check (/healthz, no session): {health:.0f} requests/s")
    print(f"  trivial signed-in view (/signed-in): {trivial:.0f} requests/s")
    for label, path, aim in THROUGHPUT_PAGES:
        rate, bad = wrk_rate(base + path, cookie)
        if bad:
            problems.append(f"{label}: {bad} error responses")
        share = rate / trivial
        verdict = "meets" if share >= aim else "below"
        print(
            f"  {label}: {rate:.0f} requests/s = {share:.0%} of the trivial view "
            f"({verdict} the aim of {aim:.0%})"
        )
    return problems


def main() -> int:
    live = ServiceProcess(workers=4)
    manage(live.env, "migrate", "--no-input")
    manage(live.env, "load_demo", "--force")
    lines = json.loads(
        manage(live.env, "shell", "-c", "import json\n" + SETUP).stdout.split("\n")[-2]
    )
    before = json.loads(manage(live.env, "shell", "-c", CHECK % lines).stdout.split("\n")[-2])
    live.start()
    results, stop = Results(), threading.Event()
    owned = {n: lines[n::WRITERS] for n in range(WRITERS)}
    threads = [
        threading.Thread(target=reader, args=(live.base, n, stop, results)) for n in range(READERS)
    ]
    threads += [
        threading.Thread(target=writer, args=(live.base, n, owned[n], stop, results))
        for n in range(WRITERS)
    ]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.perf_counter() - started
        speed_problems = throughput(live.base) if shutil.which("wrk") else None
    finally:
        stop.set()
        live.stop()
    after = json.loads(manage(live.env, "shell", "-c", CHECK % lines).stdout.split("\n")[-2])
    stop_postgres(live.pgdata)
    lost = []
    for line in lines:
        key = str(line)
        accepted = results.accepted.get(line, [])
        value, version, saves = after[key]
        expected_value = accepted[-1] if accepted else before[key][0]
        if float(value) != float(expected_value):
            lost.append(
                f"line {line}: database has {value}, last accepted save was {expected_value}"
            )
        if version - before[key][1] != len(accepted) or saves - before[key][2] != len(accepted):
            lost.append(
                f"line {line}: {len(accepted)} saves accepted, version moved by "
                f"{version - before[key][1]}, {saves - before[key][2]} audit rows"
            )
    latencies = sorted(results.latencies)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    saves = sum(len(v) for v in results.accepted.values()) // max(1, len(owned[0]))
    print(
        f"load: {READERS} readers + {WRITERS} finance officers for {elapsed:.0f}s, "
        f"gunicorn 4 workers on 127.0.0.1, {os.cpu_count()} cores"
    )
    print(
        f"requests: {len(latencies)} ({len(latencies) / elapsed:.1f}/s); forecast saves "
        f"accepted: {saves}, refused as conflicts: {results.conflicts}"
    )
    print(
        f"latency ms: p50 {pct(50):.0f}, p95 {pct(95):.0f}, p99 {pct(99):.0f}, "
        f"mean {statistics.mean(latencies) * 1000:.0f}"
    )
    if speed_problems is None:
        print("throughput: skipped (wrk is not installed: apt-get install wrk)")
    else:
        results.errors.extend(speed_problems)
    print(f"errors: {len(results.errors)}; lost or duplicated saves: {len(lost)}")
    for problem in results.errors[:20] + lost[:20]:
        print("  " + problem)
    return 1 if results.errors or lost else 0


if __name__ == "__main__":
    sys.exit(main())
