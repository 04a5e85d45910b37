"""`vigie serve --secret-file`: a secret file is refused, with what to do and exit 2,
when it is missing, short or open to others; a good one is read whole, text or bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SMALL_PLAN
from vigie.cli.main import main
from vigie.dashboard.security.signing_secret import SecretRefused, read_secret

GOOD = "0123456789abcdef" * 4  # 64 characters, as `openssl rand -hex 32` writes


def secret_file(folder: Path, content: bytes, mode: int = 0o600) -> Path:
    path = folder / "vigie.secret"
    path.write_bytes(content)
    os.chmod(path, mode)
    return path


def serve_with(*flags: str, db: Path) -> tuple[int, str]:
    """`vigie serve` as the command line runs it, stopped by its own checks."""
    runner = CliRunner()
    args = ["serve", "--plan", str(SMALL_PLAN), "--db", str(db), "--bind", "127.0.0.1:0", *flags]
    result = runner.invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stderr


def test_a_text_secret_is_read_without_its_newline(tmp_path: Path) -> None:
    assert read_secret(secret_file(tmp_path, GOOD.encode() + b"\n")) == GOOD.encode()


def test_a_binary_secret_is_read_as_bytes(tmp_path: Path) -> None:
    raw = bytes(range(256))[33:97]  # 64 bytes, none of them blank
    assert read_secret(secret_file(tmp_path, raw, 0o400)) == raw


@pytest.mark.parametrize(
    ("content", "mode", "said"),
    [
        (b"short\n", 0o600, "holds 5 bytes: a secret must be at least 32"),
        (b" " * 40, 0o600, "holds 0 bytes"),
        (GOOD.encode(), 0o644, "is open to its group or others (mode 0644): make it its owner's"),
        (GOOD.encode(), 0o640, "(mode 0640)"),
        (b"x" * 5000, 0o600, "is 5000 bytes: a secret is at most 4096"),
    ],
    ids=["short", "blank", "world-readable", "group-readable", "too-long"],
)
def test_a_bad_secret_file_is_refused_saying_why(
    tmp_path: Path, content: bytes, mode: int, said: str
) -> None:
    with pytest.raises(SecretRefused) as refused:
        read_secret(secret_file(tmp_path, content, mode))
    assert said in str(refused.value)


def test_serve_refuses_a_missing_secret_file_with_exit_2(tmp_path: Path) -> None:
    code, stderr = serve_with("--secret-file", str(tmp_path / "nowhere"), db=tmp_path / "v.db")
    assert code == 2
    assert stderr == f"vigie: --secret-file {tmp_path / 'nowhere'}: no such file\n"
    assert not (tmp_path / "v.db").exists()  # refused before anything was opened


def test_serve_refuses_a_world_readable_secret_and_says_how_to_fix_it(tmp_path: Path) -> None:
    path = secret_file(tmp_path, GOOD.encode(), 0o644)
    code, stderr = serve_with("--secret-file", str(path), db=tmp_path / "v.db")
    assert code == 2 and f"chmod 600 {path}" in stderr and "Traceback" not in stderr


def test_serve_refuses_a_short_previous_secret(tmp_path: Path) -> None:
    current = secret_file(tmp_path, GOOD.encode())
    previous = tmp_path / "old.secret"
    previous.write_bytes(b"too short")
    previous.chmod(0o600)
    code, stderr = serve_with(
        "--secret-file", str(current), "--previous-secret-file", str(previous), db=tmp_path / "v.db"
    )
    assert code == 2
    assert stderr.startswith(f"vigie: --previous-secret-file {previous}: holds 9 bytes")


def test_serve_refuses_a_previous_secret_without_a_current_one(tmp_path: Path) -> None:
    previous = secret_file(tmp_path, GOOD.encode())
    code, stderr = serve_with("--previous-secret-file", str(previous), db=tmp_path / "v.db")
    assert code == 2 and "--previous-secret-file needs --secret-file" in stderr
