"""The JSON a faculty agent pushes, validated whole before anything is stored.

raises PayloadInvalid(errors), each error naming its field (`samples[3].value`).
"""

from __future__ import annotations

import gzip
import json
import math
import zlib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vigie.bounded import Unreadable, load_json
from vigie.plan.loader import format_validation_errors
from vigie.series import Labels, Sample
from vigie.store.records import labels_key

MAX_BODY_BYTES = 1024 * 1024  # as sent (gzip)
MAX_JSON_BYTES = 8 * 1024 * 1024  # once inflated: a gzip bomb stops here
MAX_SAMPLES = 5000
MAX_FUTURE_S = 300  # clock skew tolerated between a faculty machine and the central
MAX_AGE_S = 7 * 24 * 3600  # an agent's disk backlog covers a long outage, not a past exam

MAX_LABELS_JSON = 1000  # what the store's labels column holds, faculty and host included
MetricName = Annotated[str, Field(pattern=r"^(host|probe|agent)_[a-z0-9_]{1,57}$")]
LabelName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")]
LabelValue = Annotated[str, Field(max_length=200)]
RESERVED_LABELS = frozenset({"faculty", "host"})


class PushedSample(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    name: MetricName
    labels: dict[LabelName, LabelValue] = Field(default_factory=dict, max_length=8)
    at: float
    value: float


class PushBatch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    faculty: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
    host: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    batch: Annotated[str, Field(max_length=64)] = ""
    samples: list[PushedSample] = Field(min_length=1, max_length=MAX_SAMPLES)


class PushStored(BaseModel):
    """The answer to a batch stored (200)."""

    stored: int = Field(description="samples written")
    exercise: int = Field(description="the exercise they were written to")


class PushRefused(BaseModel):
    """The answer to a batch refused whole (4xx): the first problem, then all of them."""

    error: str
    errors: list[str]


class PayloadInvalid(ValueError):
    def __init__(self, status: int, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.status = status
        self.errors = errors


def decode_body(body: bytes, encoding: str | None) -> Any:
    """The JSON document of a push request body (gzip or plain), bounded as
    `vigie.bounded.load_json` says: deep nesting, huge numbers and lone surrogates
    are a 400 like any malformed JSON."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadInvalid(413, [f"the body is over {MAX_BODY_BYTES // 1024} kB"])
    if encoding == "gzip":
        body = _inflate(body)
    elif encoding not in (None, "", "identity"):
        raise PayloadInvalid(415, [f"unsupported Content-Encoding {encoding[:40]!r}"])
    try:
        return load_json(body, non_finite=True)  # the model names a NaN's field
    except Unreadable as exc:
        raise PayloadInvalid(400, [f"malformed JSON: {exc}"]) from None


def _inflate(body: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, MAX_JSON_BYTES + 1)
    except zlib.error as exc:
        raise PayloadInvalid(400, [f"the body is not valid gzip: {exc}"]) from exc
    if len(data) > MAX_JSON_BYTES or inflater.unconsumed_tail:
        raise PayloadInvalid(413, [f"the JSON is over {MAX_JSON_BYTES // (1024 * 1024)} MB"])
    return data


def parse_batch(document: Any, now: float) -> PushBatch:
    try:
        batch = PushBatch.model_validate(document)
    except ValidationError as exc:
        raise PayloadInvalid(422, format_validation_errors(exc)) from exc
    errors = list(_semantic_errors(batch, now))
    if errors:
        raise PayloadInvalid(422, errors)
    return batch


def _semantic_errors(batch: PushBatch, now: float) -> list[str]:
    errors = []
    for index, sample in enumerate(batch.samples):
        reserved = RESERVED_LABELS & sample.labels.keys()
        if reserved:
            errors.append(f"samples[{index}].labels: {sorted(reserved)} are set by the central")
        stored = {**sample.labels, "faculty": batch.faculty, "host": batch.host}
        if len(labels_key(tuple(stored.items()))) > MAX_LABELS_JSON:
            errors.append(f"samples[{index}].labels: over {MAX_LABELS_JSON} characters in all")
        if not math.isfinite(sample.at) or sample.at > now + MAX_FUTURE_S:
            errors.append(f"samples[{index}].at: {sample.at} is in the future")
        elif sample.at < now - MAX_AGE_S:
            errors.append(f"samples[{index}].at: {sample.at} is more than 7 days old")
    return errors


def to_samples(batch: PushBatch) -> list[Sample]:
    """Stored series carry the faculty and host the central vouches for."""
    samples = []
    for pushed in batch.samples:
        labels: Labels = tuple(
            sorted({**pushed.labels, "faculty": batch.faculty, "host": batch.host}.items())
        )
        samples.append(Sample(pushed.name, labels, pushed.at, pushed.value))
    return samples


def encode_batch(batch: dict[str, Any]) -> bytes:
    """What an agent sends: compact JSON, gzipped."""
    return gzip.compress(json.dumps(batch, separators=(",", ":")).encode("utf-8"))
