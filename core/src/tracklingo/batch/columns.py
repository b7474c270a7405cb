"""Column helpers: text cleaning with the per-record rules, and grouping rows by the distinct values
of several columns (dictionary encoding), so that Python work runs once per distinct value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Codes", "as_strings", "codes", "group", "iso_text", "text_column"]



def as_strings(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous string array (large, view and dictionary-encoded strings converted)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    if not pa.types.is_string(column.type):
        column = column.cast(pa.string())
    return column


def text_column(column: pa.Array) -> pa.Array:
    """Each value as `str.strip() or None` (what the per-record path does to a text field).

    Arrow's `utf8_trim_whitespace` strips every character `str.isspace` knows (a test checks them
    all), so a value it leaves alone, and that is not empty, is already clean; the others (few)
    are cleaned in Python."""
    dirty = pc.or_(pc.not_equal(pc.utf8_trim_whitespace(column), column), pc.equal(column, ""))
    dirty = pc.fill_null(dirty, False)
    if not pc.any(dirty).as_py():
        return column
    values = pc.filter(column, dirty).to_pylist()
    return pc.replace_with_mask(column, dirty, pa.array([v.strip() or None for v in values], pa.string()))


def iso_text(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Naive timestamps (unit ``s`` or ``us``) as `datetime.isoformat` writes them:
    ``YYYY-MM-DDTHH:MM:SS``, with the microseconds only when they are not zero.

    Arrow's cast to text writes ``YYYY-MM-DD HH:MM:SS`` and, for microseconds, all six digits: the
    same digits as `pc.strftime`, many times faster."""
    unit = column.type.unit
    if unit not in ("s", "us"):
        raise ValueError(f"iso_text: a timestamp in seconds or microseconds, not {unit}")
    text = pc.utf8_replace_slice(column.cast(pa.string()), start=10, stop=11, replacement="T")
    if unit == "s":
        return text
    zero = pc.fill_null(pc.equal(pc.utf8_slice_codeunits(text, 19), ".000000"), False)
    return pc.if_else(zero, pc.utf8_slice_codeunits(text, 0, 19), text)


class Codes:
    """A column dictionary-encoded: `codes` (one int per row, null its own code) and `values`."""

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray[Any, Any], values: list[Any]) -> None:
        self.codes = codes
        self.values = values


def codes(column: pa.Array) -> Codes:
    """`column` dictionary-encoded (nulls encoded as a value of their own)."""
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    return Codes(
        encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary.to_pylist()
    )


def group(parts: Sequence[np.ndarray[Any, Any]], n: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Group `n` rows by the tuple of their codes in `parts`: (group id per row, first row of each
    group). Group ids are dense, numbered by first appearance."""
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    key = np.zeros(n, np.int64)
    size = 1
    for part in parts:
        width = int(part.max()) + 1 if len(part) else 1
        if size * width >= 2**62:
            _, key = np.unique(key, return_inverse=True)
            size = int(key.max()) + 1
        key = key * width + part
        size *= width
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # number the groups by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse.reshape(-1)], first[order]
