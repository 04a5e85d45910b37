"""docs/deployment.md's "From nothing to exam day", run from the page's own code blocks.

Every line of the section's `sh` blocks is run, in order, in a temporary folder with a
SQLite store. Lines that need the machine itself (/etc/haproxy, systemctl) or the
network (example.org) are run adapted, each by one entry of ADAPTED: ports, the
certificate's path, and URLs made loopback ones. A line no entry knows fails the test,
so the page cannot show a command this test has not run.
"""

from __future__ import annotations

import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, require
from tests.support.postgres import free_port
from tests.support.process import VigieProcess
from tests.support.waiting import wait_until
from vigie.store import Store, sqlite_url

SECTION = "## From nothing to exam day"
PASSWORD = "correct horse battery staple"
CENTRAL = "https://vigie.example.org"
PLATFORM = "https://exam.example.org/"


def walkthrough_commands(readme: str) -> list[str]:
    """The lines of the section's ```sh blocks, in order."""
    section = readme.split(SECTION + "\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@dataclass
class Walkthrough:
    """The temporary folder, the ports, and every process started, to stop by PID."""

    folder: Path
    vigie_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    outputs: dict[str, str] = field(default_factory=dict)
    processes: list[VigieProcess] = field(default_factory=list)
    haproxy_pid: int | None = None
    exercise: int | None = None

    @property
    def env(self) -> dict[str, str]:
        bin_dir = self.folder / "bin"
        return {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(ROOT),  # this checkout's vigie, whatever is installed
            "REQUESTS_CA_BUNDLE": str(self.folder / "cert.pem"),  # the agent trusts the proxy
        }

    @property
    def proxy(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def run(self, line: str) -> str:
        """A short command as a shell runs it (pipes, redirections), in the folder."""
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", line],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        self.outputs[line] = done.stdout
        return done.stdout

    def start(self, line: str, ready: str) -> VigieProcess:
        args = shlex.split(line)[1:]  # without the leading `vigie`
        process = VigieProcess(*args, cwd=self.folder, env=self.env)
        self.processes.append(process)
        process.wait_for_line(lambda seen: seen.startswith(ready))
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            assert process.stop() == 0, process.seen[-10:]
        if self.haproxy_pid is not None:
            os.kill(self.haproxy_pid, signal.SIGTERM)
            wait_until(lambda: not _alive(self.haproxy_pid or 0))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- the adapted lines ----------------------------------------------------------------


def copy_plan(walk: Walkthrough, line: str) -> None:
    """As written, then the plan's Prometheus made a loopback port nobody serves: the
    collector polls and finds it down, and nothing is looked up outside."""
    walk.run(line)
    plan = walk.folder / "exam.toml"
    text = plan.read_text(encoding="utf-8")
    assert text.count("https://prometheus.exam.example.org") == 1
    dead = f"http://127.0.0.1:{free_port()}"
    plan.write_text(text.replace("https://prometheus.exam.example.org", dead), encoding="utf-8")


def add_user_on_a_terminal(walk: Walkthrough, line: str) -> None:
    """`user add` without --password, on a pseudo-terminal: typed twice, as a person does."""
    import pty

    main, child = pty.openpty()
    process = subprocess.Popen(
        shlex.split(line), cwd=walk.folder, env=walk.env, stdin=child, stdout=child, stderr=child
    )
    os.close(child)
    seen = _answer(main, [("Password: ", PASSWORD), ("Repeat for confirmation: ", PASSWORD)])
    seen += _read_until_closed(main)
    os.close(main)
    assert process.wait(timeout=60) == 0, seen
    assert "Added operator alice" in seen


def _answer(fd: int, prompts: list[tuple[str, str]]) -> str:
    seen = ""
    deadline = time.monotonic() + 60
    for prompt, answer in prompts:
        while prompt not in seen:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([fd], [], [], max(remaining, 0))
            assert readable, f"no {prompt!r} in 60 s; saw {seen!r}"
            seen += os.read(fd, 1024).decode(errors="replace")
        seen = seen.split(prompt, 1)[1]
        os.write(fd, (answer + "\n").encode())
    return seen


def _read_until_closed(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk.decode(errors="replace"))
    return "".join(chunks)


def start_agent(walk: Walkthrough, line: str) -> None:
    """Pointed at the proxy (it spools until the central answers), probing the proxy."""
    assert CENTRAL in line and PLATFORM in line
    adapted = line.replace(CENTRAL, walk.proxy).replace(PLATFORM, f"{walk.proxy}/healthz")
    walk.start(adapted + " --spool agent-spool", ready="Vigie agent for lyon")


def start_serve(walk: Walkthrough, line: str) -> None:
    assert "--bind 127.0.0.1:8050" in line
    adapted = line.replace("127.0.0.1:8050", f"127.0.0.1:{walk.vigie_port}")
    serving = walk.start(adapted, ready="Open http://127.0.0.1:")
    said = next(seen for seen in serving.seen if seen.startswith("Vigie serving exercise"))
    walk.exercise = int(said.split()[3])
    assert not any("warning" in seen for seen in serving.seen)  # --starts-at now


def install_haproxy_config(walk: Walkthrough, line: str) -> None:
    """deploy/haproxy.cfg with its ports and certificate path on this machine, and
    without chroot and user when not root (they need root to take effect)."""
    assert line == "cp deploy/haproxy.cfg /etc/haproxy/haproxy.cfg"
    text = (walk.folder / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    pem = make_certificate(walk.folder)
    tls = "ssl crt /etc/haproxy/certs/vigie.pem"
    for was, now in (
        ("bind :80\n", f"bind 127.0.0.1:{walk.http_port}\n"),
        (f"bind :443 {tls}", f"bind 127.0.0.1:{walk.https_port} ssl crt {pem}"),
        ("server vigie 127.0.0.1:8050", f"server vigie 127.0.0.1:{walk.vigie_port}"),
    ):
        assert text.count(was) == 1, was
        text = text.replace(was, now)
    if os.geteuid() != 0:
        text = re.sub(r"\n    (chroot|user|group) .*", "", text)
    (walk.folder / "haproxy.cfg").write_text(text, encoding="utf-8")


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1; the PEM HAProxy reads holds it and its key."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    pem = folder / "vigie.pem"
    pem.write_text((folder / "cert.pem").read_text() + (folder / "key.pem").read_text())
    return pem


def check_haproxy_config(walk: Walkthrough, line: str) -> None:
    assert line == "haproxy -c -f /etc/haproxy/haproxy.cfg"
    walk.run(f"haproxy -c -f {walk.folder / 'haproxy.cfg'}")


def start_haproxy(walk: Walkthrough, line: str) -> None:
    """In the background with a pid file, instead of systemd's reload: stopped by that PID."""
    assert line == "systemctl reload haproxy"
    pid_file = walk.folder / "haproxy.pid"
    walk.run(f"haproxy -f {walk.folder / 'haproxy.cfg'} -D -p {pid_file}")
    walk.haproxy_pid = int(pid_file.read_text().split()[0])
    wait_until(lambda: _answers(f"{walk.proxy}/healthz", walk.folder / "cert.pem"))


def _answers(url: str, ca: Path) -> bool:
    try:
        return requests.get(url, verify=str(ca), timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def run_as_written(walk: Walkthrough, line: str) -> None:
    walk.run(line)


def make_token_file(walk: Walkthrough, line: str) -> None:
    walk.run(line)
    token_file = walk.folder / "lyon.token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert token_file.read_text().startswith("vga_")


Step = Callable[[Walkthrough, str], None]
HAPROXY_LINES = ("cp deploy/haproxy.cfg ", "haproxy ", "systemctl reload haproxy")
ADAPTED: list[tuple[str, Step]] = [
    (r"cp scenarios/prometheus-example\.toml exam\.toml", copy_plan),
    (r"vigie user add (?!.*--password).*", add_user_on_a_terminal),
    (r"vigie agent .*", start_agent),
    (r"vigie serve .*", start_serve),
    (r"cp deploy/haproxy\.cfg /etc/haproxy/haproxy\.cfg", install_haproxy_config),
    (r"haproxy -c -f .*", check_haproxy_config),
    (r"systemctl reload haproxy", start_haproxy),
    (r"vigie (check|kiosk) .*", run_as_written),
    (r"\(umask 077; vigie token create .* > lyon\.token\)", make_token_file),
]


def step_for(line: str) -> Step:
    for pattern, step in ADAPTED:
        if re.fullmatch(pattern, line):
            return step
    raise AssertionError(f"the walkthrough shows {line!r}, which this test does not run")


@pytest.fixture
def walk(tmp_path: Path) -> Iterator[Walkthrough]:
    for folder in ("scenarios", "deploy"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "vigie"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m vigie "$@"\n')
    wrapper.chmod(0o755)
    walkthrough = Walkthrough(tmp_path)
    try:
        yield walkthrough
    finally:
        walkthrough.stop()


def test_the_readme_walkthrough_serves_the_example_plan_behind_haproxy(walk: Walkthrough) -> None:
    commands = walkthrough_commands((ROOT / "docs" / "deployment.md").read_text(encoding="utf-8"))
    has_haproxy = shutil.which("haproxy") is not None and shutil.which("openssl") is not None
    for line in commands:
        if line.startswith(HAPROXY_LINES) and not has_haproxy:
            continue
        step_for(line)(walk, line)
    assert walk.exercise is not None
    direct = f"http://127.0.0.1:{walk.vigie_port}"
    assert requests.get(f"{direct}/login", timeout=10).status_code == 200
    require(has_haproxy, "haproxy or openssl is not installed (apt-get install haproxy openssl)")
    through_the_proxy(walk)


def through_the_proxy(walk: Walkthrough) -> None:
    """TLS on the proxy's port reaches vigie serve; HTTP is redirected; the kiosk link
    and the agent's pushes go through it."""
    ca = str(walk.folder / "cert.pem")
    login = requests.get(f"{walk.proxy}/login", verify=ca, timeout=10)
    assert login.status_code == 200 and "Vigie" in login.text
    plain = requests.get(
        f"http://127.0.0.1:{walk.http_port}/login", allow_redirects=False, timeout=10
    )
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{walk.http_port}/login"
    kiosk_output = next(out for line, out in walk.outputs.items() if "kiosk create" in line)
    kiosk_path = kiosk_output.strip().splitlines()[-1]
    opened = requests.get(f"{walk.proxy}{kiosk_path}", verify=ca, allow_redirects=False, timeout=10)
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/wall")
    store = Store.open(sqlite_url(walk.folder / "vigie.db"))
    try:
        assert walk.exercise is not None
        exercise = walk.exercise
        wait_until(lambda: bool(store.latest(exercise, "host_cpu_ratio", time.time())), timeout=60)
    finally:
        store.close()
