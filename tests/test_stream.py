"""Big inputs in pieces: the reader, compression piece by piece, streaming expansion."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tersify import compress
from tersify.cli.progress import Progress
from tersify.cli.streaming import _decoded
from tersify.compaction import expand, expand_stream
from tersify.errors import TersifyError
from tersify.io import decode, encode
from tersify.pieces import Piece, binary_reason, read_pieces
from tersify.stream import Options, compress_pieces, sum_stats

LINES = [
    "INFO dfs.DataNode: PacketResponder 1 for block blk_38865049064139660 terminating",
    "INFO dfs.DataNode: PacketResponder 2 for block blk_-6952295868487656571 terminating",
    "WARN disk 93% full on /dev/sda1",
    "[previous line repeated 3 more times]",
    "\\[previous line repeated 1 more time]",
    '[the next 3 lines follow "a {} b"; each row below holds one line\'s {} values]',
    "[JSON minified from 2-space indent]",
    "état: réussi ✓ 🙂",
    "caf\udce9 \udcff latin-1 bytes",
    "  indented line\r",
    "",
    "x",
]

line_lists = st.lists(
    st.one_of(st.sampled_from(LINES), st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
              st.tuples(st.sampled_from(LINES), st.integers(2, 30)).map(lambda t: "\n".join([t[0]] * t[1]))),
    max_size=40,
)


def joined(lines: list[str], crlf: bool, final_newline: bool) -> bytes:
    text = ("\r\n" if crlf else "\n").join(lines) + ("\n" if final_newline else "")
    return encode(text)


class Trickle(io.RawIOBase):
    """A stream that gives at most ``step`` bytes a read and counts what it gave."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.given = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.step if n < 0 else min(n, self.step)
        chunk = self.data[self.given : self.given + n]
        self.given += len(chunk)
        return chunk


# --- the reader --------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(line_lists, st.booleans(), st.booleans(), st.integers(1, 300), st.integers(1, 64))
def test_pieces_cut_between_lines_and_add_up_to_the_input(lines, crlf, final_newline, size, step):
    data = joined(lines, crlf, final_newline)
    pieces = list(read_pieces(Trickle(data, step), size, read_bytes=step))
    assert b"".join(p.data for p in pieces) == data
    assert [p.final for p in pieces].count(True) <= 1 and not any(p.final for p in pieces[:-1])
    line = 0
    for piece in pieces:
        assert piece.first_line == line
        line += piece.data.count(b"\n")
        if piece is not pieces[-1]:
            assert piece.data.endswith(b"\n") or piece.raw
    if len(data) <= size:
        assert [p.data for p in pieces] == [data] and pieces[0].final


def test_the_reader_holds_one_piece_and_one_read_ahead():
    data = b"".join(f"line {i} of the log {'x' * (i % 50)}\n".encode() for i in range(5000))
    stream = Trickle(data, 100)
    handed = 0
    for piece in read_pieces(stream, 1000, read_bytes=100):
        handed += len(piece.data)
        # What the reader has read but not handed out is at most a piece and one read.
        assert stream.given - handed <= 1000 + 1 + 100
        assert len(piece.data) <= 1000 + 1 + 100


def test_a_line_longer_than_the_limit_passes_through_raw_in_pieces():
    long = b"y" * 5000
    data = b"head\n" + long + b"\ntail\n"
    pieces = list(read_pieces(io.BytesIO(data), 100, read_bytes=64, long_line=1000))
    assert b"".join(p.data for p in pieces) == data
    raw = [p for p in pieces if p.raw]
    assert raw and b"".join(p.data for p in raw) == long + b"\n"
    assert max(len(p.data) for p in pieces) <= 1000 + 64
    # A long line that begins like a marker is held whole: expansion must see it whole.
    marker_like = b"[" + long + b"]\n"
    pieces = list(read_pieces(io.BytesIO(b"a\n" + marker_like), 100, read_bytes=64, long_line=1000))
    assert not any(p.raw for p in pieces) and marker_like in [p.data for p in pieces]


def test_cuts_prefer_where_the_line_shape_changes():
    run = b"".join(f"INFO PacketResponder {i} for block blk_{i * 7} terminating\n".encode() for i in range(40))
    other = b"".join(f"WARN slow disk at {i} ms\n".encode() for i in range(40))
    data = other + run + other
    pieces = list(read_pieces(io.BytesIO(data), len(other) + len(run) // 8))
    # The run is not cut in two: the first piece ends where it begins.
    assert pieces[0].data == other


def test_an_indented_document_stays_in_one_piece_up_to_the_limit():
    import json

    doc = json.dumps([{"name": f"pkg{i}", "version": f"1.{i}", "requires": ["a", "b"]} for i in range(300)], indent=2)
    data = b"INFO start\n" + doc.encode() + b"\nINFO done\n" + b"INFO more\n" * 50
    pieces = list(read_pieces(io.BytesIO(data), 2000, read_bytes=256, long_line=len(doc) * 2))
    assert b"".join(p.data for p in pieces) == data
    assert any(doc.encode() in p.data for p in pieces)  # not cut inside
    # Past the limit, it is cut anyway, so memory stays bounded.
    pieces = list(read_pieces(io.BytesIO(data), 2000, read_bytes=256, long_line=8000))
    assert max(len(p.data) for p in pieces) <= 8000 + 2000 and len(pieces) > 3


# --- binary input ------------------------------------------------------------------------------------


def test_binary_is_told_from_text():
    assert binary_reason(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00" * 8).startswith("NUL bytes")
    assert "not UTF-8" in binary_reason(bytes(range(128, 256)) * 4)
    assert binary_reason(b"exit 139 \xff\xfe bad\n") is None  # a few stray bytes are text
    assert binary_reason("naïve café ✓ 🙂\n".encode() * 100) is None
    assert binary_reason("é".encode() * 1000 + "é".encode()[:1]) is None  # a sequence cut by the sample
    assert binary_reason(b"") is None


# --- compression piece by piece ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_lists, st.booleans(), st.booleans(), st.integers(20, 400))
def test_lossless_pieces_expand_to_the_exact_input(lines, crlf, final_newline, size):
    data = joined(lines, crlf, final_newline) + b"\xff\xfe stray bytes\n"
    out = b"".join(p.out for p in compress_pieces(read_pieces(io.BytesIO(data), size), Options(lossless=True)))
    assert encode(expand(decode(out))) == data
    chunks = [decode(out[i : i + 7]) for i in range(0, len(out), 7)]
    assert encode("".join(expand_stream(chunks))) == data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line_lists, st.booleans(), st.integers(20, 400))
def test_default_pieces_are_compressed_each_and_never_merge_lines(lines, final_newline, size):
    data = joined(lines + ["the build did not pass because the cache was somehow quite stale"], False, final_newline)
    pieces = list(read_pieces(io.BytesIO(data), size))
    done = list(compress_pieces(pieces, Options(scorer="baseline")))
    assert [d.out for d in done] == [encode(compress(decode(p.data), scorer="baseline").text) for p in pieces]
    for piece, out in zip(pieces, done, strict=True):
        # A piece ends at a line end, and so does its output: no line runs into the next piece's.
        assert out.out.endswith(b"\n") == piece.data.endswith(b"\n")
    assert sum_stats([d.stats for d in done]).lines_in == decode(data).count("\n") + (0 if final_newline else 1)


def test_an_input_of_one_piece_is_compressed_as_a_whole():
    text = "\n".join(LINES * 20) + "\n"
    (piece,) = compress_pieces(read_pieces(io.BytesIO(encode(text))), Options(scorer="baseline"))
    assert piece.out == encode(compress(text, scorer="baseline").text)


def test_runs_across_piece_cuts_still_compact():
    data = b"".join(b"INFO PacketResponder %d for block blk_%d terminating\n" % (i, i * 7919) for i in range(3000))
    out = b"".join(p.out for p in compress_pieces(read_pieces(io.BytesIO(data), 20000), Options(lossless=True)))
    assert len(out) < len(data) / 2
    assert encode(expand(decode(out))) == data


def test_workers_keep_order_and_a_bounded_number_of_pieces_in_flight():
    data = b"".join(b"line %d: value %d\n" % (i, i * 31 % 97) for i in range(4000))
    pulled = 0

    def counted():
        nonlocal pulled
        for piece in read_pieces(io.BytesIO(data), 4000):
            pulled += 1
            yield piece

    out, taken = [], 0
    for done in compress_pieces(counted(), Options(lossless=True), jobs=2):
        taken += 1
        assert pulled - taken <= 2 * 2  # read ahead: at most 2 pieces per worker
        out.append(done.out)
    assert encode(expand(decode(b"".join(out)))) == data
    assert out == [p.out for p in compress_pieces(read_pieces(io.BytesIO(data), 4000), Options(lossless=True))]


def test_a_worker_error_reaches_the_caller():
    data = b"x\n" * 3000
    with pytest.raises(TersifyError, match="unknown scorer"):
        list(compress_pieces(read_pieces(io.BytesIO(data), 1000), Options(scorer="bogus"), jobs=2))


def test_raw_pieces_are_written_as_they_came():
    piece = Piece(b"\x00\xff raw", 3, False, raw=True)
    (done,) = compress_pieces([piece], Options())
    assert done.out == piece.data and done.stats is None


# --- streaming expansion -----------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(line_lists, st.booleans(), st.integers(1, 50))
def test_streaming_expansion_equals_expansion_whatever_the_chunks(lines, final_newline, step):
    text = compress(decode(joined(lines, False, final_newline)), lossless=True).text
    text += "\n" + "\n".join(lines)  # markers that may not expand as well
    try:
        expected: str | type = expand(text)
    except TersifyError as exc:
        expected = str(exc)
    chunks = [text[i : i + step] for i in range(0, len(text), step)]
    try:
        got: str | type = "".join(expand_stream(chunks))
    except TersifyError as exc:
        got = str(exc)
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200), st.integers(1, 9))
def test_reads_decode_as_the_whole_would(data, step):
    data += "é🙂".encode() * 3
    text = "".join(_decoded(Trickle(data, step), "-", Progress(None, "", enabled=False)))
    assert encode(text) == data and text == decode(data)


def test_a_long_block_is_read_in_linear_time_not_retried_per_line():
    text = compress("\n".join(f"row {i} of block {i * 3}" for i in range(3000)), lossless=True).text
    seen = 0
    import tersify.compaction.engine as engine

    original = engine._expand_into

    def counting(lines, *args, **kwargs):
        nonlocal seen
        seen += len(lines)
        return original(lines, *args, **kwargs)

    engine._expand_into = counting
    try:
        out = "".join(expand_stream(text[i : i + 10] for i in range(0, len(text), 10)))
    finally:
        engine._expand_into = original
    assert out == expand(text)
    # Each try of a block that is not all there waits for twice the lines, so the lines looked
    # at stay within a few times the text's, not its square.
    assert seen < 4 * text.count("\n")


# --- progress ----------------------------------------------------------------------------------------


def test_progress_only_on_a_terminal_for_big_inputs(monkeypatch):
    import tersify.cli.progress as progress

    assert not Progress(100 << 20, "x").enabled  # standard error is not a terminal under pytest
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    assert Progress(100 << 20, "x").enabled and Progress(None, "x").enabled
    assert not Progress(1 << 20, "x").enabled
    with Progress(None, "x") as bar:
        bar.advance(1 << 20)
        assert bar._bar is None  # of unknown size, shown only past the size
        bar.advance(8 << 20)
        assert bar._bar is not None
