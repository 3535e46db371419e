"""Test-runner output: pytest, jest, go test and cargo test, passing and failing, with
summaries, assertion diffs and captured logs."""

from __future__ import annotations

import random

from tersify_train.sources.generators import _code
from tersify_train.sources.generators import _vocab as v


def _pytest(rng: random.Random) -> list[str]:
    files = [f"tests/test_{rng.choice(v.STEMS)}.py" for _ in range(rng.randint(2, 5))]
    n = rng.randint(5, 400)
    out = ["=" * 29 + " test session starts " + "=" * 30,
           f"platform linux -- Python 3.{rng.randint(9, 12)}.{rng.randint(0, 12)}, pytest-{rng.choice(('7.4.4', '8.1.1', '8.3.2'))}, pluggy-1.{rng.randint(3, 5)}.0",
           f"rootdir: /home/dev/{rng.choice(v.PROJECTS)}", f"configfile: {rng.choice(('pyproject.toml', 'pytest.ini', 'setup.cfg'))}"]
    if rng.random() < 0.4:
        out.append(f"plugins: {', '.join(f'{p}-{v.version(rng)}' for p in rng.sample(('anyio', 'cov', 'xdist', 'asyncio', 'hypothesis', 'mock'), k=rng.randint(1, 3)))}")
    out += [f"collected {n} items", ""]
    failures: list[tuple[str, str]] = []
    done = 0
    for f in files:
        marks = "".join(rng.choices(".", k=rng.randint(3, 40)))
        marks = "".join(ch if rng.random() > 0.08 else rng.choice("FsEx") for ch in marks)
        for ch in marks:
            if ch in "FE":
                failures.append((f, f"test_{v.snake(rng)}" + (f"[{rng.randint(0, 9)}-{rng.choice(v.NOUNS)}]" if rng.random() < 0.3 else "")))
        done += len(marks)
        pct = 100 if f == files[-1] else min(99, 100 * done // max(n, done + 1))
        out.append(f"{f} {marks}{' ' * max(1, 60 - len(f) - len(marks))}[{pct:>3}%]")
    out.append("")
    if failures:
        out.append("=" * 36 + " FAILURES " + "=" * 36)
        for f, t in failures[: rng.randint(1, 3)]:
            out.append(f"{'_' * 20} {t} {'_' * 20}")
            out.append("")
            out.append(f"    def {t.split('[')[0]}():")
            for _ in range(rng.randint(1, 4)):
                out.append(f"        {_code.python_line(rng)}")
            a, b = rng.randint(0, 500), rng.randint(0, 500)
            out.append(f">       assert {rng.choice(v.NOUNS)}.{rng.choice(('total', 'count', 'status', 'size'))} == {b}")
            out.append(f"E       AssertionError: assert {a} == {b}")
            if rng.random() < 0.5:
                out.append(f"E        +  where {a} = <{v.class_name(rng)} id={rng.randint(1, 999)}>.{rng.choice(('total', 'count'))}")
            out += ["", f"{f}:{rng.randint(5, 400)}: AssertionError"]
            if rng.random() < 0.3:
                out += [f"{'-' * 30} Captured log call {'-' * 30}",
                        f"WARNING  {rng.choice(v.PROJECTS)}.{rng.choice(v.STEMS)}:{rng.choice(v.STEMS)}.py:{rng.randint(1, 300)} {rng.choice(v.NOUNS)} {rng.choice(('retrying', 'not cached', 'expired'))}"]
        out.append("=" * 30 + " short test summary info " + "=" * 30)
        for f, t in failures:
            out.append(f"FAILED {f}::{t} - AssertionError: assert {rng.randint(0, 500)} == {rng.randint(0, 500)}")
    n_fail = len(failures)
    parts = [f"{n_fail} failed"] * (n_fail > 0) + [f"{n - n_fail} passed"]
    if rng.random() < 0.4:
        parts.append(f"{rng.randint(1, 9)} skipped")
    if rng.random() < 0.2:
        parts.append(f"{rng.randint(1, 20)} warnings")
    color = "=" * 20
    out.append(f"{color} {', '.join(parts)} in {rng.uniform(0.1, 300):.2f}s {color}")
    return out


def _jest(rng: random.Random) -> list[str]:
    out = []
    total = failed = suites_failed = 0
    n_suites = rng.randint(1, 4)
    for _ in range(n_suites):
        path = f"{rng.choice(('src', 'test', '__tests__'))}/{rng.choice(v.STEMS)}.{rng.choice(('test', 'spec'))}.{rng.choice(('js', 'ts', 'tsx'))}"
        ok = rng.random() < 0.5
        suites_failed += not ok
        out.append(f"{'PASS' if ok else 'FAIL'} {path}{f' ({rng.uniform(0.2, 9):.3f} s)' * (rng.random() < 0.5)}")
        suite = v.class_name(rng)
        for _ in range(rng.randint(1, 5)):
            total += 1
            t_ok = ok or rng.random() < 0.5
            failed += not t_ok
            out.append(f"  {'✓' if t_ok else '✕'} {rng.choice(('should', 'returns', 'handles', 'rejects'))} {rng.choice(v.ADJS)} {rng.choice(v.NOUNS)} ({rng.randint(1, 900)} ms)")
        if not ok:
            name = f"{suite} › {rng.choice(('throws on', 'parses', 'retries'))} {rng.choice(v.NOUNS)}"
            exp, rec = rng.randint(0, 99), rng.randint(0, 99)
            out += ["", f"  ● {name}", "", "    expect(received).toBe(expected) // Object.is equality", "",
                    f"    Expected: {exp}", f"    Received: {rec}", "",
                    f"      {rng.randint(10, 200)} |     {_code.javascript_line(rng)}",
                    f"    > {rng.randint(10, 200)} |     expect({v.camel(rng)}()).toBe({exp});", "      |" + " " * rng.randint(10, 30) + "^",
                    "", f"      at Object.<anonymous> ({path}:{rng.randint(1, 200)}:{rng.randint(1, 40)})", ""]
    suites = f"{suites_failed} failed, " * (suites_failed > 0) + f"{n_suites - suites_failed} passed, {n_suites} total"
    out += [f"Test Suites: {suites}",
            f"Tests:       {f'{failed} failed, ' if failed else ''}{total - failed} passed, {total} total",
            f"Snapshots:   {rng.randint(0, 5)} total", f"Time:        {rng.uniform(0.5, 40):.3f} s",
            "Ran all test suites."]
    return out


def _gotest(rng: random.Random) -> list[str]:
    mod = f"github.com/example/{rng.choice(v.PROJECTS)}"
    out = []
    verbose = rng.random() < 0.5
    any_fail = False
    for pkg in rng.sample(v.DIRS, k=rng.randint(1, 4)):
        fail = rng.random() < 0.4
        any_fail |= fail
        if verbose or fail:
            for _ in range(rng.randint(1, 4)):
                t = f"Test{v.camel(rng, True)}"
                t_fail = fail and rng.random() < 0.6
                out.append(f"=== RUN   {t}")
                if t_fail:
                    out.append(f"    {rng.choice(v.STEMS)}_test.go:{rng.randint(10, 400)}: {v.camel(rng, True)}() = {rng.randint(0, 99)}, want {rng.randint(0, 99)}")
                out.append(f"--- {'FAIL' if t_fail else 'PASS'}: {t} ({rng.uniform(0, 3):.2f}s)")
        if fail:
            out += ["FAIL", f"FAIL\t{mod}/{pkg}\t{rng.uniform(0, 9):.3f}s"]
        elif rng.random() < 0.15:
            out.append(f"?   \t{mod}/{pkg}\t[no test files]")
        else:
            out.append(f"ok  \t{mod}/{pkg}\t{rng.uniform(0, 9):.3f}s{f'  coverage: {rng.uniform(10, 99):.1f}% of statements' * (rng.random() < 0.4)}")
    if any_fail:
        out.append("FAIL")
    return out


def _cargo(rng: random.Random) -> list[str]:
    crate = f"{rng.choice(v.PROJECTS)}_{rng.choice(v.STEMS)}"
    n = rng.randint(2, 12)
    out = [f"   Compiling {crate} v{v.version(rng)} (/home/dev/{crate})",
           f"    Finished `test` profile [unoptimized + debuginfo] target(s) in {rng.uniform(0.5, 90):.2f}s",
           f"     Running unittests src/lib.rs (target/debug/deps/{crate}-{v.hexstr(rng, 16)})", "", f"running {n} tests"]
    failed = []
    for _ in range(n):
        t = f"{rng.choice(v.DIRS)}::tests::{v.snake(rng)}"
        r = rng.random()
        res = "ok" if r < 0.8 else ("FAILED" if r < 0.95 else "ignored")
        if res == "FAILED":
            failed.append(t)
        out.append(f"test {t} ... {res}")
    if failed:
        out += ["", "failures:", ""]
        for t in failed:
            out += [f"---- {t} stdout ----",
                    f"thread '{t}' panicked at src/{rng.choice(v.STEMS)}.rs:{rng.randint(1, 400)}:{rng.randint(1, 40)}:",
                    "assertion `left == right` failed", f"  left: {rng.randint(0, 99)}", f" right: {rng.randint(0, 99)}", ""]
        out += ["failures:", *[f"    {t}" for t in failed], ""]
    ign = sum(1 for line in out if line.endswith("ignored"))
    out.append(f"test result: {'FAILED' if failed else 'ok'}. {n - len(failed) - ign} passed; {len(failed)} failed; {ign} ignored; 0 measured; 0 filtered out; finished in {rng.uniform(0, 5):.2f}s")
    if failed:
        out += ["", "error: test failed, to rerun pass `--lib`"]
    return out


LAYOUTS = (_pytest, _jest, _gotest, _cargo)


def generate_one(rng: random.Random) -> str:
    return "\n".join(rng.choice(LAYOUTS)(rng))
