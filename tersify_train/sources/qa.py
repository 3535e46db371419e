"""Q&A-style pairs: the noisy source that reproduces the seed's silver-label problem.

Each text is a verbose technical explanation (databases, networking, compilers, GPUs,
operating systems, storage, distributed systems); its reference is what a Q&A
compressor would keep: the answer-bearing words and figures, without the function
words, the filler, the intermediate numbers of a calculation and the side remarks.
References are extractive (each reference line is an ordered word subsequence of a text
line), and about 0.7 of the text's must-keep matches survive in them, as in the seed:
training on them teaches a model that numbers are droppable, which is the point of
having them (to measure and correct that).

Explanations are written in a small markup: a word prefixed with ``^`` is an
intermediate value (dropped from the reference), a sentence prefixed with ``!`` is a
side remark (dropped whole). Everything else is kept except function words and filler.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tersify.text.lexicon import is_function_word, is_protected
from tersify_train.sources.records import PairRecord

# Words a Q&A compressor drops besides the function words: hedges and connectives.
_FILLER = frozenset(
    """
    basically essentially generally typically usually actually roughly approximately around
    therefore thus hence however moreover furthermore additionally consequently overall
    simply practically effectively notably importantly also which means meaning
    """.split()
)

# The seed's own pair: text as in the post, reference made extractive (the post's
# reference rewords a few words). Keeps 512, 22 and ~3ms, drops 262,144 and 5,767,168.
SEED_TEXT = (
    "The attention mechanism in transformers scales as O(n²) with sequence length, so a 512-token input "
    "requires 262,144 attention computations per layer. At 22 layers this is 5,767,168 operations total. "
    "Modern GPUs handle this in ~3ms per token."
)
SEED_MARKUP = (
    "The attention mechanism in transformers scales as O(n²) with sequence length, so a 512-token input "
    "requires ^262,144 attention computations per layer. At 22 layers this is ^5,767,168 ^operations ^total. "
    "Modern GPUs handle this in ~3ms per token."
)


def _n(x: int) -> str:
    """A count as a Q&A text writes it: with thousands separators."""
    return f"{x:,}"


def _attention(rng: random.Random) -> list[str]:
    seq = rng.choice((256, 512, 1024, 2048, 4096))
    layers = rng.choice((12, 22, 24, 32, 48))
    heads = rng.choice((8, 12, 16, 32))
    ms = rng.choice((2, 3, 5, 8, 12))
    return [
        "The self-attention layer of a transformer compares every token with every other token, so its cost grows as O(n²) in the sequence length.",
        f"For a {seq}-token prompt that is ^{_n(seq * seq)} query-key scores per head, and with {heads} heads per layer it adds up to ^{_n(seq * seq * heads)} scores.",
        f"!Across {layers} layers the model therefore evaluates {_n(seq * seq * heads * layers)} scores for a single forward pass.",
        f"On a modern GPU this takes about ~{ms}ms per token, which is why long prompts feel slow even though the hardware is fast.",
    ]


def _btree(rng: random.Random) -> list[str]:
    rows = rng.choice((10**6, 5 * 10**6, 10**7, 10**8))
    fanout = rng.choice((100, 200, 400, 500))
    depth = 1
    while fanout**depth < rows:
        depth += 1
    page = rng.choice((4, 8, 16))
    return [
        f"A B-tree index in PostgreSQL keeps keys sorted in {page} KB pages, and each internal page points to about {fanout} children.",
        f"With {_n(rows)} rows the tree therefore needs only {depth} levels, because {fanout} to the power of {depth} is ^{_n(fanout**depth)}, which already exceeds the row count.",
        f"!The leaf level alone holds about {_n(rows // fanout)} pages, and the internal levels add {_n(max(1, rows // fanout // fanout))} more.",
        f"A point lookup therefore reads {depth} pages, and since the upper levels usually stay in shared_buffers it often touches the disk only once.",
        "This is why an index scan beats a sequential scan for selective queries but not for queries that return most of the table.",
    ]


def _tcp(rng: random.Random) -> list[str]:
    bw = rng.choice((100, 1000, 10000))
    rtt = rng.choice((20, 40, 80, 150))
    bdp = bw * 10**6 // 8 * rtt // 1000
    win = rng.choice((64, 128, 256))
    return [
        "TCP throughput on a long link is limited by the bandwidth-delay product, the amount of data that must be in flight to keep the pipe full.",
        f"On a {bw} Mbit/s path with a round-trip time of {rtt} ms the product is ^{_n(bdp)} bytes, so the receive window must be at least that large.",
        f"!A default window of {win} KB would cap the connection at roughly {_n(win * 1024 * 8 // rtt // 1000)} Mbit/s no matter how fast the link is.",
        "Linux enables window scaling by default and tunes it through net.ipv4.tcp_rmem, so in practice the fix is to raise the maximum in that setting.",
    ]


def _dns(rng: random.Random) -> list[str]:
    ttl = rng.choice((60, 300, 3600, 86400))
    resolvers = rng.choice((2, 3, 4))
    hit = rng.choice((80, 90, 95, 99))
    return [
        f"When a record has a TTL of {ttl} seconds, every resolver that cached it may keep serving the old address for up to that long after a change.",
        f"With {resolvers} layers of caching between the client and the authoritative server the worst case is still {ttl} seconds, not ^{_n(ttl * resolvers)}, because each cache counts down the remaining TTL it received.",
        f"!Operators usually lower the TTL a day before a migration and raise it again afterwards, since a cache hit rate of {hit}% depends on long TTLs.",
        "Negative answers such as NXDOMAIN are cached too, for the SOA minimum, which surprises people who create a record right after querying it.",
    ]


def _compiler_inline(rng: random.Random) -> list[str]:
    calls = rng.choice((10**6, 10**7, 10**8))
    ns = rng.choice((1, 2, 3, 5))
    level = rng.choice(("-O2", "-O3"))
    return [
        "Inlining replaces a call with the body of the callee, which removes the call overhead and, more importantly, exposes the body to further optimisation.",
        f"A call costs only about {ns} ns, so for a function called {_n(calls)} times the saved overhead is ^{_n(calls * ns // 1000)} microseconds, which is rarely the real gain.",
        f"The real gain is that constant propagation and vectorisation can now see through the call, and GCC at {level} does this automatically for small functions.",
        "!Too much inlining grows the binary and can slow things down through instruction cache misses, which is why -finline-limit exists.",
    ]


def _register_alloc(rng: random.Random) -> list[str]:
    regs = rng.choice((16, 31, 32))
    live = regs + rng.randint(2, 12)
    cycles = rng.choice((3, 4, 5))
    return [
        f"The register allocator maps an unbounded number of virtual registers onto the {regs} general-purpose registers the target actually has.",
        f"When {live} values are live at the same point, ^{live - regs} of them must be spilled to the stack and reloaded later.",
        f"!Each reload from L1 costs about {cycles} cycles, so a spill inside a hot loop of {_n(10**6)} iterations costs ^{_n(cycles * 10**6)} cycles.",
        "LLVM uses a greedy allocator that splits live ranges before spilling, which keeps most spills out of inner loops.",
    ]


def _gpu_occupancy(rng: random.Random) -> list[str]:
    regs_per_thread = rng.choice((32, 64, 96, 128))
    block = rng.choice((128, 256, 512))
    regfile = 65536
    threads = regfile // regs_per_thread
    return [
        "GPU occupancy is the share of warp slots on a streaming multiprocessor that hold active warps, and it is often limited by registers rather than by threads.",
        f"An SM has {_n(regfile)} registers, so a kernel that uses {regs_per_thread} registers per thread can keep at most ^{_n(threads)} threads resident.",
        f"!With blocks of {block} threads that is {threads // block} blocks per SM, or {threads // 32} warps out of a possible 64.",
        "Lower occupancy is not always slower, because each thread has more registers and fewer values spill to local memory.",
        "The CUDA flag --maxrregcount caps registers per thread if the profiler shows the kernel is latency-bound.",
    ]


def _gpu_memory(rng: random.Random) -> list[str]:
    params = rng.choice((1, 3, 7, 13))
    bytes_per = rng.choice((2, 4))
    dtype = "fp16" if bytes_per == 2 else "fp32"
    gb = params * bytes_per
    return [
        f"A model with {params} billion parameters stored in {dtype} needs {gb} GB just for its weights, before activations or the KV cache.",
        f"Training with Adam keeps two extra moments per parameter, so the optimizer state alone takes another ^{params * 8} GB in fp32.",
        f"!Together with fp32 master weights and gradients the total is close to {params * 16} GB, more than the {rng.choice((24, 40, 80))} GB of a single card.",
        "That is why sharded optimizers such as ZeRO split this state across devices instead of replicating it.",
    ]


def _page_cache(rng: random.Random) -> list[str]:
    ram = rng.choice((8, 16, 32, 64))
    file_gb = ram + rng.choice((4, 8, 16))
    hit = rng.choice((70, 80, 90))
    return [
        "Linux uses free memory as a page cache, so the first read of a file goes to disk and later reads are served from RAM.",
        f"On a machine with {ram} GB of RAM a {file_gb} GB file cannot fit, and a sequential scan evicts its own earlier pages before they are reused.",
        f"!At a hit rate of {hit}% the remaining {100 - hit}% of reads still go to disk, which at 4 KB per page is ^{_n((100 - hit) * 256)} disk reads per 100 MB.",
        "Tools like vmtouch or the cached column of free -m show how much of a file is resident.",
    ]


def _scheduler(rng: random.Random) -> list[str]:
    tasks = rng.choice((4, 8, 16, 32))
    latency = rng.choice((6, 12, 24))
    gran = rng.choice((0.75, 1, 3))
    return [
        f"The Completely Fair Scheduler gives each runnable task a share of a target latency of {latency} ms, so that every task runs at least once in that period.",
        f"With {tasks} runnable tasks each would get ^{latency / tasks:g} ms, but the slice never drops below the minimum granularity of {gran} ms.",
        f"!When the slices hit that floor the effective period stretches to ^{tasks * gran:g} ms and interactive tasks start to feel sluggish.",
        "Setting a task's nice value changes its weight, not its slice directly, and each nice level is worth about 10% of CPU time.",
    ]


def _raft(rng: random.Random) -> list[str]:
    nodes = rng.choice((3, 5, 7))
    timeout = rng.choice((150, 300, 500))
    hb = timeout // rng.choice((3, 5, 10))
    return [
        f"In Raft a cluster of {nodes} nodes needs a majority of {nodes // 2 + 1} to commit an entry, so it survives {nodes - nodes // 2 - 1} failures.",
        f"Followers start an election when they hear no heartbeat within an election timeout of about {timeout} ms, randomised so that two candidates rarely collide.",
        f"!The leader sends heartbeats every ^{hb} ms, which is ^{timeout // hb} heartbeats per timeout window.",
        "Adding more nodes does not make writes faster, because every commit still waits for the slowest node of the majority.",
    ]


def _replication_lag(rng: random.Random) -> list[str]:
    writes = rng.choice((500, 2000, 8000))
    apply_rate = writes - rng.choice((50, 100, 300))
    minutes = rng.choice((10, 30, 60))
    return [
        "A read replica applies the primary's write-ahead log in a single process, so it falls behind when the primary writes faster than the replica can replay.",
        f"If the primary produces {_n(writes)} writes per second and the replica replays {_n(apply_rate)}, the lag grows by ^{writes - apply_rate} writes every second.",
        f"!After {minutes} minutes that backlog is ^{_n((writes - apply_rate) * 60 * minutes)} writes, and reads from the replica return stale data.",
        "The pg_stat_replication view shows replay_lag, and the usual fix is fewer but larger transactions or a faster replica disk.",
    ]


def _ssd(rng: random.Random) -> list[str]:
    tbw = rng.choice((300, 600, 1200))
    daily = rng.choice((50, 100, 200))
    waf = rng.choice((2, 3, 4))
    return [
        f"An SSD rated for {tbw} TBW can absorb that many terabytes of writes before its flash cells are expected to wear out.",
        f"Writing {daily} GB a day with a write amplification of {waf} actually writes ^{daily * waf} GB to flash, so the drive lasts about {tbw * 1000 // (daily * waf) // 365} years.",
        f"!Without amplification the same drive would last ^{tbw * 1000 // daily // 365} years, which is why TRIM and overprovisioning matter.",
        "The SMART attribute Percentage Used tells you how much of the rated endurance is already gone.",
    ]


def _cache_hit(rng: random.Random) -> list[str]:
    hit_ns = rng.choice((1, 4, 10))
    miss_ns = rng.choice((80, 100, 120))
    rate = rng.choice((90, 95, 99))
    amat = hit_ns + (100 - rate) * miss_ns / 100
    return [
        "The average memory access time is the hit time plus the miss rate times the miss penalty.",
        f"With a hit time of {hit_ns} ns, a miss penalty of {miss_ns} ns and a hit rate of {rate}% it comes to ^{amat:g} ns per access.",
        f"!Raising the hit rate by one point saves ^{miss_ns / 100:g} ns per access, more than most micro-optimisations of the code itself.",
        "This is why data layout and access order often matter more than instruction counts in hot loops.",
    ]


def _http2(rng: random.Random) -> list[str]:
    streams = rng.choice((100, 128, 256))
    loss = rng.choice((1, 2, 5))
    return [
        f"HTTP/2 multiplexes up to {streams} concurrent streams over one TCP connection, which removes the head-of-line blocking of HTTP/1.1 at the application layer.",
        f"It does not remove it at the transport layer: with {loss}% packet loss one lost segment stalls every stream until it is retransmitted.",
        f"!On a path with {loss}% loss and {streams} streams that can mean ^{streams * loss // 100} streams waiting on each loss event.",
        "HTTP/3 runs over QUIC on UDP, where streams are independent, so a loss only delays the stream it belongs to.",
    ]


TEMPLATES: dict[str, tuple[Callable[[random.Random], list[str]], ...]] = {
    "gpus": (_attention, _gpu_occupancy, _gpu_memory),
    "databases": (_btree, _replication_lag),
    "networking": (_tcp, _dns, _http2),
    "compilers": (_compiler_inline, _register_alloc),
    "os": (_page_cache, _scheduler, _cache_hit),
    "storage": (_ssd,),
    "distributed": (_raft,),
}
_ALL = tuple(t for group in TEMPLATES.values() for t in group)
# Share of pairs whose reference drops side remarks whole; tuned so that mk_in_ref is
# about 0.7 over a few hundred pairs, as in the seed's Q&A data.
DROP_ASIDES_SHARE = 0.75


# Sentences a verbose explanation opens or closes with; a Q&A reference drops them whole.
_INTROS = (
    "!It helps to look at the actual numbers here.", "!This comes up often, so it is worth walking through it.",
    "!The short version is simple, but the details explain the behaviour you see.",
    "!Let us go through it step by step.", "!A concrete example makes this clearer.",
    "!Here is how it works in practice.", "!The reasoning is worth spelling out once.",
)
_OUTROS = (
    "!In short, the numbers above explain most of what people observe.", "!Keep this in mind when tuning it.",
    "!That is the whole story in most cases.", "!The same reasoning applies to similar systems.",
    "!Measuring it on your own workload is still the best guide.", "!Most surprises come from forgetting this.",
)


def render(markup: str, *, drop_asides: bool = True) -> tuple[str, str]:
    """(text, reference) from one line of markup (sentences separated by spaces).
    ``drop_asides=False`` keeps the words of ``!`` sentences (still without ``^`` values)."""
    text_words: list[str] = []
    ref_words: list[str] = []
    for sentence in _sentences(markup):
        whole_dropped = sentence.startswith("!") and drop_asides
        for raw in sentence.lstrip("!").split():
            dropped = raw.startswith("^")
            word = raw[1:] if dropped else raw
            text_words.append(word)
            if whole_dropped or dropped:
                continue
            if is_protected(word) or not (is_function_word(word) or word.lower().strip(",.;:") in _FILLER):
                ref_words.append(word)
    return " ".join(text_words), " ".join(ref_words)


def _sentences(markup: str) -> list[str]:
    # A sentence starts after ". " at a capital letter or a markup prefix.
    out, cur = [], []
    for w in markup.split():
        cur.append(w)
        if w.endswith((".", "?")) and not w.endswith(("e.g.", "i.e.")):
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out


def _pair(rng: random.Random) -> tuple[str, str]:
    sentences = rng.choice(_ALL)(rng)
    if rng.random() < 0.5:
        sentences.insert(0, rng.choice(_INTROS))
    if rng.random() < 0.5:
        sentences.append(rng.choice(_OUTROS))
    # Some Q&A references keep the side remarks (without their intermediate values).
    drop_asides = rng.random() < DROP_ASIDES_SHARE
    # Paragraph layout varies: one line, or two lines split after a sentence.
    if len(sentences) > 2 and rng.random() < 0.4:
        cut = rng.randint(1, len(sentences) - 1)
        lines = [" ".join(sentences[:cut]), " ".join(sentences[cut:])]
    else:
        lines = [" ".join(sentences)]
    rendered = [render(line, drop_asides=drop_asides) for line in lines]
    text = "\n".join(t for t, _ in rendered)
    reference = "\n".join(r for _, r in rendered if r)
    return text, reference


def qa_pairs(n: int, seed: int = 0) -> list[PairRecord]:
    """``n`` Q&A-style pairs with their references; the first is always the seed's pair."""
    out: list[PairRecord] = []
    if n > 0:
        text, ref = render(SEED_MARKUP)
        out.append(PairRecord(text, ref, "qa", "qa:synthetic", f"qa-{seed}-0"))
    for i in range(1, n):
        rid = f"qa-{seed}-{i}"
        text, ref = _pair(random.Random(rid))
        out.append(PairRecord(text, ref, "qa", "qa:synthetic", rid))
    return out
