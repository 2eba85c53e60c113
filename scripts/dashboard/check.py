#!/usr/bin/env python3
"""Browser check of the dashboard (`GET /`) against `forescale demo`, in headless Chromium.

Starts the demo on a free port, loads the page in headless Chromium and drives it over the
DevTools protocol (CDP):

1. the page loads without console errors, uncaught exceptions or failed requests;
2. the chart holds at least 10 data points (polling, bounded);
3. clicking the target's other mode button asks for the token, the token is entered, and
   `GET /v1/targets/worldcup-consumer` then reports the new mode (plain HTTP, not the page);
4. with `--screenshot [PATH]`, a PNG of the page is saved (docs/dashboard.png by default).

Installs what it needs when missing: Debian's `chromium` (apt-get, when root) and the
`websocket-client` Python package (pip). Kills everything it started. Exit 0 on PASS.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET = "worldcup-consumer"


def log(message):
    print(f"[dashboard-check {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---- dependencies ---------------------------------------------------------------------------

def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium():
    path = find_chromium()
    if path:
        return path
    if os.geteuid() != 0:
        raise SystemExit("FAIL: chromium is not installed and we are not root (apt-get install chromium)")
    log("installing chromium with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    if subprocess.run(command, env=env).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(command, env=env, check=True)
    path = find_chromium()
    if not path:
        raise SystemExit("FAIL: chromium is still missing after apt-get install")
    return path


def ensure_websocket():
    try:
        import websocket  # noqa: F401
    except ImportError:
        log("installing websocket-client with pip")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "websocket-client"], check=True)
    import websocket
    return websocket


def ensure_binary(path):
    if os.path.exists(path):
        return path
    log(f"{path} is missing: swift build --product forescale")
    subprocess.run(["swift", "build", "--product", "forescale"], cwd=ROOT, check=True)
    return path


# ---- processes ------------------------------------------------------------------------------

class Started:
    """Processes this script started, each in its own process group, killed at the end."""

    def __init__(self):
        self.processes = []

    def spawn(self, command, **kwargs):
        process = subprocess.Popen(command, start_new_session=True, **kwargs)
        self.processes.append(process)
        return process

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 5
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()


def start_demo(started, binary, directory, speed, days):
    command = [binary, "demo", "--listen", "127.0.0.1:0", "--speed", str(speed), "--days", str(days), "--directory", directory]
    # The demo's stdout is a pipe here, block-buffered: line-buffer it so the URL arrives at once.
    if shutil.which("stdbuf"):
        command = ["stdbuf", "-oL"] + command
    log("starting " + " ".join(command))
    process = started.spawn(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    found = {}
    ready = threading.Event()
    output = []

    def read():
        pattern = re.compile(r"Dashboard and status API: (http://\S+?)/?\s+\(token for the controls: ([^)\s]+)\)")
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            match = pattern.search(line)
            if match and not ready.is_set():
                found["url"], found["token"] = match.group(1), match.group(2)
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout=180) or "url" not in found:
        raise CheckFailure("the demo did not print its dashboard URL:\n" + "\n".join(output[-20:]))
    return found["url"], found["token"], output


def start_chromium(started, chromium, profile, width, height):
    command = [
        chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
        "--disable-component-update", "--metrics-recording-only", "--hide-scrollbars", "--mute-audio",
        f"--window-size={width},{height}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        f"--user-data-dir={profile}", "about:blank",
    ]
    log("starting " + os.path.basename(chromium) + " (headless)")
    started.spawn(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 60
    while time.time() < deadline:
        if os.path.exists(port_file):
            lines = open(port_file).read().split()
            if lines:
                port = int(lines[0])
                try:
                    targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5).read())
                    pages = [t for t in targets if t.get("type") == "page"]
                    if pages:
                        return pages[0]["webSocketDebuggerUrl"]
                except OSError:
                    pass
        time.sleep(0.2)
    raise CheckFailure("chromium did not open its DevTools port within 60 s")


# ---- CDP ------------------------------------------------------------------------------------

class CheckFailure(Exception):
    pass


class CDP:
    def __init__(self, websocket, url):
        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.problems = []
        self.console = []

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass

    def _event(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            self.console.append(f"console.{params.get('type')}: {text}")
            if params.get("type") in ("error", "assert"):
                self.problems.append(f"console.{params.get('type')}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            description = details.get("exception", {}).get("description") or details.get("text")
            self.problems.append(f"uncaught exception: {description} (line {details.get('lineNumber')})")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                self.problems.append(f"log error ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())

    def _receive(self, timeout):
        self.ws.settimeout(timeout)
        return json.loads(self.ws.recv())

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params or {}}))
        deadline = time.time() + timeout
        while True:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise CheckFailure(f"CDP {method} did not answer within {timeout} s")
            message = self._receive(remaining)
            if message.get("id") == ident:
                if "error" in message:
                    raise CheckFailure(f"CDP {method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self._event(message)

    def pump(self, seconds):
        """Reads events for `seconds`."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                message = self._receive(max(0.05, deadline - time.time()))
            except Exception:
                return
            if "method" in message:
                self._event(message)

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CheckFailure(f"evaluating {expression!r}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def wait_for(self, what, expression, timeout, interval=0.5):
        deadline = time.time() + timeout
        value = None
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.pump(interval)
        raise CheckFailure(f"timed out after {timeout} s waiting for {what} (last value {value!r})")


def http_json(url, token=None):
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# ---- the check ------------------------------------------------------------------------------

def run(args, started, scratch):
    websocket = ensure_websocket()
    chromium = ensure_chromium()
    binary = ensure_binary(os.path.abspath(args.binary))

    url, token, demo_output = start_demo(started, binary, os.path.join(scratch, "demo"), args.speed, args.days)
    log(f"demo at {url} (token {token[:8]}…)")
    debugger = start_chromium(started, chromium, os.path.join(scratch, "chrome"), args.width, args.height)
    cdp = CDP(websocket, debugger)
    try:
        for domain in ("Runtime", "Log", "Page"):
            cdp.call(f"{domain}.enable")
        cdp.call("Emulation.setDeviceMetricsOverride", {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False})
        cdp.call("Page.navigate", {"url": f"{url}/?target={TARGET}"})
        cdp.wait_for("the page to load", "document.readyState === 'complete'", 30)
        title = cdp.evaluate("document.title")
        if title != "Forescale dashboard":
            raise CheckFailure(f"unexpected page title {title!r}")
        log("page loaded")

        points = cdp.wait_for(
            "the chart to hold at least 10 data points",
            "(() => { const l = document.querySelector('[data-testid=chart-line-arrival]');"
            " const n = l ? l.points.numberOfItems : 0; return n >= 10 ? n : 0; })()",
            args.timeout)
        log(f"chart holds {points} arrival-rate points")
        lines = cdp.evaluate("Array.from(document.querySelectorAll('#chart [data-testid^=chart-line-]'))"
                             ".map(e => e.getAttribute('data-testid') + '=' + e.getAttribute('data-points')).join(' ')")
        log(f"chart lines: {lines}")
        for name in ("arrival", "forecast", "capacity", "replicas"):
            if f"chart-line-{name}=" not in (lines or ""):
                raise CheckFailure(f"the chart has no {name} line ({lines})")
        rows = cdp.wait_for("the decisions table", "document.querySelectorAll('#decisions tr td.num').length", 20)
        log(f"decisions table has {rows} numeric cells")

        before = cdp.wait_for("the target's mode label", "(() => { const t = document.querySelector('[data-testid=target-mode]').textContent; return t === 'live' || t === 'shadow' ? t : ''; })()", 20)
        wanted = "shadow" if before == "live" else "live"
        log(f"target mode shown as {before}; clicking '{wanted}'")
        cdp.evaluate(f"document.querySelector('[data-testid=target-mode-{wanted}]').click()")
        cdp.wait_for("the token prompt", "document.getElementById('token-dialog').open", 10)
        cdp.evaluate("document.getElementById('token-input').focus()")
        cdp.call("Input.insertText", {"text": token})
        cdp.evaluate("document.querySelector('[data-testid=token-save]').click()")
        log("token entered")

        deadline = time.time() + 20
        detail = None
        while time.time() < deadline:
            detail = http_json(f"{url}/v1/targets/{TARGET}")
            if detail["summary"]["mode"] == wanted and detail["summary"]["modeSource"] == "target":
                break
            cdp.pump(0.3)
        else:
            raise CheckFailure(f"GET /v1/targets/{TARGET} still reports mode {detail and detail['summary']['mode']!r}, not {wanted!r}")
        log(f"API reports {TARGET} in {wanted} mode (set for the target)")
        cdp.wait_for("the page's mode label to follow", f"document.querySelector('[data-testid=target-mode]').textContent === '{wanted}'", 15)
        audit = [e for e in detail.get("audit", []) if e.get("kind") == "mode" and e.get("actor") == "api"]
        if not audit:
            raise CheckFailure("no audit event from the API for the mode switch")

        if args.screenshot:
            cdp.evaluate("window.scrollTo(0, 0)")
            cdp.pump(args.settle)
            shot = cdp.call("Page.captureScreenshot", {"format": "png"})
            data = base64.b64decode(shot["data"])
            path = os.path.abspath(args.screenshot)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
            log(f"screenshot: {path} ({len(data) // 1024} KiB)")

        cdp.pump(0.5)
        if cdp.problems:
            raise CheckFailure("the page reported errors:\n  " + "\n  ".join(cdp.problems))
    finally:
        cdp.close()
    return points


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "forescale"))
    parser.add_argument("--speed", type=float, default=1800)
    parser.add_argument("--days", type=float, default=2, help="simulated days (2 at 1800x: 96 s, room for a slow start-up)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for the chart's points")
    parser.add_argument("--screenshot", nargs="?", const=os.path.join(ROOT, "docs", "dashboard.png"), default=None)
    parser.add_argument("--settle", type=float, default=3, help="seconds to wait before the screenshot")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1500)
    args = parser.parse_args()

    started = Started()
    scratch = tempfile.mkdtemp(prefix="forescale-dashboard-check-")
    began = time.time()
    code = 1

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        run(args, started, scratch)
        log(f"PASS in {time.time() - began:.1f} s")
        code = 0
    except CheckFailure as failure:
        log(f"FAIL: {failure}")
    except KeyboardInterrupt as interrupt:
        log(f"FAIL: interrupted ({interrupt})")
    except Exception as error:  # noqa: BLE001 — any other error is a failure with its reason
        log(f"FAIL: {type(error).__name__}: {error}")
    finally:
        started.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
