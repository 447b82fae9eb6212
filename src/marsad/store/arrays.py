"""Index structures as plain arrays: a dict of numpy arrays <-> bytes (an .npz archive).

Reading never unpickles (``allow_pickle=False``): an object array in a stored blob is refused,
so a hostile store file cannot run code. Strings travel as fixed-width unicode arrays.
"""
from __future__ import annotations

import io

import numpy as np


def pack(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    for name, arr in arrays.items():
        if np.asarray(arr).dtype == object:
            raise TypeError(f"array {name!r} has dtype object: it would need pickle")
    np.savez(buf, **arrays)
    return buf.getvalue()


def unpack(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def ragged(parts: list[np.ndarray], dtype) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate variable-length arrays: (values, lengths)."""
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    values = np.concatenate([np.asarray(p, dtype=dtype) for p in parts]) if parts else np.zeros(0, dtype)
    return values.astype(dtype, copy=False), lengths


def split(values: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    """Inverse of :func:`ragged` (views, no copies)."""
    ends = np.cumsum(lengths)
    return np.split(values, ends[:-1]) if len(lengths) else []
