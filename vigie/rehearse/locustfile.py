"""Virtual students, played by Locust: run ONLY in a Locust process (`students.py` starts it).

Options (each also an environment variable):
  --vigie-plan PATH       VIGIE_PLAN        the exam plan (TOML); required
  --vigie-control PATH    VIGIE_CONTROL     the control file (see `control.py`); required
  --vigie-scale X         VIGIE_SCALE       students per expected student (default 0.05)
  --vigie-seed N          VIGIE_SEED        draws' seed (default: the plan's simulation seed)
  --vigie-max-students N  VIGIE_MAX_STUDENTS  refuse a scaled plan above this (default 5,000)
  --vigie-think-min S / --vigie-think-max S   a connection's think time between requests (5-15)
  --run-time              bounds the whole run (the shape stops there, like a `stop`)

The shape (`Waves`) asks, once a second, for as many users as students have arrived
under the control file's launches. Each new user claims one student (`dispatch.py`):
locally from this process's dispatcher, in distributed mode from the master's, by a
round trip of custom messages, so every student comes exactly once whatever worker plays
it. A student opens one `HttpSession` per connection, each holding one keep-alive TCP
connection bound to the student's loopback address; connection 1 logs in, every
connection then reads a question and answers it, a think time apart. A connection
refused, reset or answered 5xx waits a retry delay from the plan's simulation and tries
again (logging in again on a 401). On stop, each student logs out.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import gevent.lock
import gevent.pool
import gevent.queue
from locust import LoadTestShape, User, events, task
from locust.clients import HttpSession
from locust.env import Environment
from locust.runners import MasterRunner, Runner, WorkerRunner
from requests import Response
from requests.adapters import HTTPAdapter

from vigie.plan import load_plan
from vigie.rehearse.control import EMPTY, Control, read_control
from vigie.rehearse.dispatch import Dispatcher
from vigie.rehearse.schedule import MAX_VIRTUAL_STUDENTS, Arrival, plan_arrivals, retry_bounds

log = logging.getLogger("vigie.rehearse")
SPAWN_RATE = 500  # users per second: arrivals are paced by the shape, not by Locust's ramp
CLAIM = "vigie_claim"
ASSIGNED = "vigie_assigned"
CLAIM_WAIT_S = 0.2
STOP_WAIT_S = 10  # at most this long for a request in flight when a student leaves


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    add = parser.add_argument
    add("--vigie-plan", env_var="VIGIE_PLAN", default="", help="the exam plan (TOML)")
    add("--vigie-control", env_var="VIGIE_CONTROL", default="", help="the control file")
    add("--vigie-scale", env_var="VIGIE_SCALE", type=float, default=0.05)
    add("--vigie-seed", env_var="VIGIE_SEED", type=int, default=None)
    add("--vigie-max-students", env_var="VIGIE_MAX_STUDENTS", type=int, default=0)
    add("--vigie-think-min", env_var="VIGIE_THINK_MIN", type=float, default=5.0)
    add("--vigie-think-max", env_var="VIGIE_THINK_MAX", type=float, default=15.0)


@dataclass
class Rehearsal:
    """What this Locust process knows: the students, the control file, the pacing."""

    arrivals: list[Arrival]
    control_path: Path
    think_s: tuple[float, float]
    retry_s: tuple[float, float]
    dispatcher: Dispatcher
    assigned: gevent.queue.Queue
    control: Control = EMPTY

    def read(self) -> Control:
        self.control = read_control(self.control_path, self.control)
        return self.control


_rehearsal: Rehearsal | None = None


def rehearsal() -> Rehearsal:
    assert _rehearsal is not None, "the vigie_* options were not read (init event)"
    return _rehearsal


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    global _rehearsal
    options = environment.parsed_options
    if options is None or not options.vigie_plan or not options.vigie_control:
        raise SystemExit("vigie locustfile: --vigie-plan and --vigie-control are required")
    plan = load_plan(Path(options.vigie_plan))
    arrivals = plan_arrivals(
        plan,
        options.vigie_scale,
        options.vigie_seed,
        options.vigie_max_students or MAX_VIRTUAL_STUDENTS,
    )
    _rehearsal = Rehearsal(
        arrivals,
        Path(options.vigie_control),
        (options.vigie_think_min, options.vigie_think_max),
        retry_bounds(plan),
        Dispatcher(arrivals),
        gevent.queue.Queue(),
    )
    runner = environment.runner
    if runner is not None and not isinstance(runner, WorkerRunner):
        runner.register_message(CLAIM, _hand_out, concurrent=True)
    if runner is not None and not isinstance(runner, MasterRunner):
        runner.register_message(ASSIGNED, _take_assigned)
    log.info("vigie rehearsal: %d virtual students", len(arrivals))


def _hand_out(environment: Environment, msg: Any, **_: Any) -> None:
    """Master (or local runner): give the claimer the earliest due student not yet given."""
    state = rehearsal()
    index = state.dispatcher.claim(state.read(), time.time())
    while index is None and not state.control.stop:
        gevent.sleep(CLAIM_WAIT_S)  # the shape ran a little ahead of the clock
        index = state.dispatcher.claim(state.read(), time.time())
    runner = environment.runner
    assert runner is not None
    client = msg.node_id if isinstance(runner, MasterRunner) else None
    runner.send_message(ASSIGNED, {"index": index}, client_id=client)


def _take_assigned(environment: Environment, msg: Any, **_: Any) -> None:
    rehearsal().assigned.put(msg.data["index"])


class Waves(LoadTestShape):
    """As many users as students have arrived; None (the end) on stop or past --run-time."""

    use_common_options = True  # it reads --run-time itself

    def tick(self) -> tuple[int, float] | None:
        state = rehearsal()
        control = state.read()
        options = self.runner.environment.parsed_options if self.runner else None
        run_time = options.run_time if options else None
        if control.stop or (run_time and self.get_run_time() > run_time):
            return None
        return state.dispatcher.due(control, time.time()), SPAWN_RATE


class SourceBoundAdapter(HTTPAdapter):
    """A pool of one connection, bound to a source address before it connects."""

    def __init__(self, address: str) -> None:
        self._source = (address, 0)
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)

    def init_poolmanager(self, *args: Any, **pool_kwargs: Any) -> None:
        pool_kwargs["source_address"] = self._source
        super().init_poolmanager(*args, **pool_kwargs)


def refused(response: Response) -> bool:
    """Refused, reset, timed out (no status) or answered 5xx: the platform threw us out."""
    return not response.status_code or response.status_code >= 500


class Student(User):
    """One virtual student: its connections, its login, its questions and answers."""

    def on_start(self) -> None:
        self.state = rehearsal()
        runner: Runner | None = self.environment.runner
        assert runner is not None
        runner.send_message(CLAIM, {})
        index = self.state.assigned.get()
        self.arrival = None if index is None else self.state.arrivals[index]
        self.sessions: list[HttpSession] = []
        self.logged_in = gevent.event.Event()
        self.connections = gevent.pool.Group()
        self.busy: list[gevent.lock.Semaphore] = []  # held while a connection is mid-request
        # A connection the platform refused or reset has no socket left: leaving, the
        # student does not open a new one (that would be refused too, after the end).
        self.thrown_out: list[bool] = []

    @task
    def attend(self) -> None:
        if self.arrival is None:  # stopped before it came
            gevent.sleep(3600)
            return
        self.sessions = [self._session() for _ in range(self.arrival.connections)]
        self.busy = [gevent.lock.Semaphore() for _ in self.sessions]
        self.thrown_out = [False for _ in self.sessions]
        for number in range(len(self.sessions)):
            self.connections.spawn(self._keep_alive, number)
        self.connections.join()

    def on_stop(self) -> None:
        # Let requests in flight finish: a connection killed mid-request is dropped,
        # and the logout would then open a connection more than the student holds.
        for busy in self.busy:
            busy.acquire(timeout=STOP_WAIT_S)
        self.connections.kill(block=True)
        if self.sessions and self.logged_in.is_set() and not self.thrown_out[0]:
            self.sessions[0].post("/logout", name="/logout")
        for session in self.sessions:
            session.close()

    def _session(self) -> HttpSession:
        assert self.arrival is not None and self.host is not None
        session = HttpSession(self.host, self.environment.events.request, self)
        adapter = SourceBoundAdapter(self.arrival.address)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def _keep_alive(self, number: int) -> None:
        """One connection's life: (log in,) read, answer, think; wait and retry if thrown out."""
        session = self.sessions[number]
        while True:
            with self.busy[number]:
                logging_in = number == 0 and not self.logged_in.is_set()
                ok = not logging_in or self._log_in(session)
            self.thrown_out[number] = not ok
            if not ok:
                gevent.sleep(random.uniform(*self.state.retry_s))
                continue
            self.logged_in.wait()
            with self.busy[number]:
                ok = self._question_and_answer(session)
            self.thrown_out[number] = not ok
            if ok:
                gevent.sleep(random.uniform(*self.state.think_s))
            else:
                gevent.sleep(random.uniform(*self.state.retry_s))

    def _log_in(self, session: HttpSession) -> bool:
        assert self.arrival is not None
        who = {"student": self.arrival.student, "faculty": self.arrival.faculty}
        response = session.post("/login", json=who, name="/login")
        cookie = response.cookies.get("exam_session") if not refused(response) else None
        if not cookie:
            return False
        for other in self.sessions:
            other.cookies.set("exam_session", cookie)
        self.logged_in.set()
        return True

    def _question_and_answer(self, session: HttpSession) -> bool:
        """True when both went through; a 401 asks connection 1 to log in again."""
        question = session.get("/question", name="/question")
        if question.status_code == 401:
            self.logged_in.clear()
            return True
        if refused(question):
            return False
        number = question.json().get("id") if question.ok else None
        answer = session.post("/answer", json={"question": number, "answer": "B"}, name="/answer")
        if answer.status_code == 401:
            self.logged_in.clear()
            return True
        return not refused(answer)
