"""Real command outputs for the savings set, harvested on this machine.

Reuses ``scripts/harvest.py``'s fixtures (a failing Python package, C, Rust, JS, a git
repository with a conflict, SQLite, a loopback JSON API) and its minimal environment and
scrubbing, adds bigger fixtures (a test suite of 150 tests, a build with many warnings),
a clone of this repository (real history, real multi-file diffs, working-tree edits) and
read-only commands over the installed ``site-packages`` (listings, grep, lint), and runs
the real programs. Outputs depend on the machine (package versions, sizes, dates), so a
rerun gives similar, not identical, records.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAX_CHARS = 60_000  # longer outputs are cut at a line boundary (JSON outputs are kept whole or dropped)
_FORBIDDEN = ("sandboxing", "model_tools", "/work/main", "/work/shared", "/work/wt", "process_api", "firecracker")


def _harvest_module():
    spec = importlib.util.spec_from_file_location("_tersify_harvest", REPO / "scripts" / "harvest.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Step:
    command: str
    kind: str
    tool: str
    cwd: str = "."
    timeout: float = 120.0


_TESTS = '''\
import pytest

from shop.cart import Cart, parse_price


@pytest.mark.parametrize("raw,cents", [(f"{d}.{c:02d}", d * 100 + c) for d in range(0, 30) for c in (0, 5, 99)])
def test_parse_price(raw, cents):
    assert parse_price(raw) == cents


@pytest.mark.parametrize("n", range(40))
def test_cart_total(n):
    cart = Cart()
    for i in range(n):
        cart.add(f"sku-{i}", 100 + i)
    assert cart.total() == sum(100 + i for i in range(n))


@pytest.mark.parametrize("code", ["EU", "US", "UK", "JP", "BR"])
def test_tax_rate(code):
    assert Cart(region=code).tax_rate() > 0


def test_remove_missing():
    Cart().remove("sku-404")


def test_discount_stacking():
    cart = Cart()
    cart.add("a", 1000)
    cart.apply("SAVE10")
    cart.apply("SAVE10")
    assert cart.total() == 900
'''

_CART = '''\
TAX = {"EU": 0.2, "UK": 0.2, "US": 0.0, "JP": 0.1}


def parse_price(raw):
    whole, _, frac = raw.partition(".")
    return int(whole) * 100 + int(frac[:2] or 0) if frac != "99" else int(whole) * 100 + 98


class Cart:
    def __init__(self, region="EU"):
        self.region, self.items, self.codes = region, {}, []

    def add(self, sku, cents):
        self.items[sku] = cents

    def remove(self, sku):
        del self.items[sku]

    def apply(self, code):
        self.codes.append(code)

    def tax_rate(self):
        return TAX[self.region]

    def total(self):
        base = sum(self.items.values())
        for _ in self.codes:
            base = base * 9 // 10
        return base if len(self.items) < 33 else base + 1
'''

_WARN_C = '''\
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

struct record { char name[16]; int qty; unsigned price; };

static int unused_helper(int x) { return x * 2; }

int parse(const char *line, struct record *r) {
    int n;
    char buf[8];
    strcpy(buf, line);
    if (sscanf(line, "%15s %d %u", r->name, &r->qty, &r->price) != 3)
        return -1;
    if (r->qty < 0u) return -2;
    return n;
}

int total(struct record *rs, int count) {
    int sum = 0, i;
    for (i = 0; i < count; i++)
        sum += rs[i].qty * rs[i].price;
    printf("%d records, total %s\\n", count, sum);
    return sum;
}

int main(int argc, char **argv) {
    struct record rs[4];
    char *p = malloc(10);
    int k;
    if (argc = 2) printf("one arg\\n");
    for (k = 0; k < 4; k++) parse(argv[1], &rs[k]);
    return total(rs, 4);
}
'''

_UNIT = """\
import unittest

from shop.cart import Cart, parse_price


class TestCart(unittest.TestCase):
    def test_empty_total(self):
        self.assertEqual(Cart().total(), 0)

    def test_add_then_total(self):
        cart = Cart()
        cart.add("a", 250)
        self.assertEqual(cart.total(), 250)

    def test_remove_missing(self):
        with self.assertRaises(KeyError):
            Cart().remove("nope")

    def test_unknown_region(self):
        self.assertGreater(Cart(region="BR").tax_rate(), 0)

    def test_big_cart(self):
        cart = Cart()
        for i in range(40):
            cart.add(str(i), 10)
        self.assertEqual(cart.total(), 400)


class TestParse(unittest.TestCase):
    def test_plain(self):
        self.assertEqual(parse_price("3.50"), 350)

    def test_ninety_nine(self):
        self.assertEqual(parse_price("0.99"), 99)

    @unittest.skip("locale-aware parsing is not written yet")
    def test_comma(self):
        self.assertEqual(parse_price("3,50"), 350)
"""

FILES: dict[str, str] = {
    "shop/shop/__init__.py": "",
    "shop/shop/cart.py": _CART,
    "shop/tests/test_cart.py": _TESTS,
    "shop/tests/__init__.py": "",
    "shop/tests/test_unit_cart.py": _UNIT,
    "warn/warn.c": _WARN_C,
    "warn/Makefile": "CFLAGS = -Wall -Wextra -O2\n\nall: warn\n\nwarn: warn.c\n\t$(CC) $(CFLAGS) -o warn warn.c\n",
    "scripts/chained.py": '''\
import json


class ConfigError(Exception):
    pass


def load(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config {path} is missing") from exc


def main():
    cfg = load("settings/production.json")
    print(cfg["db"]["host"])


main()
''',
    "scripts/lib_error.py": '''\
import numpy as np

weights = np.ones((3, 4))
batch = np.ones((5, 3))
print(batch @ weights @ batch)
''',
    "scripts/async_fail.py": '''\
import asyncio


async def fetch(i):
    await asyncio.sleep(0.01)
    if i == 3:
        raise TimeoutError(f"request {i} timed out after 0.01s")
    return i


async def main():
    results = await asyncio.gather(*(fetch(i) for i in range(6)))
    print(results)


asyncio.run(main())
''',
    "scripts/workers.sh": "for i in 1 2 3; do sleep 30 & done\npython3 -c 'import time; time.sleep(30)' &\n"
                          "python3 -m http.server 0 --bind 127.0.0.1 >/dev/null 2>&1 &\nsleep 0.5\n"
                          "ps u -s $$\nkill $(jobs -p)\n",
}


def _edit_clone() -> str:
    """Working-tree edits in the clone: modified, deleted and new files."""
    return textwrap.dedent("""\
        set -e
        cd proj
        sed -i 's/threshold: float = 0.5,/threshold: float = 0.45,/' tersify/compress.py
        sed -i 's/^    timeout: float = 60.0/    timeout: float = 90.0/' scripts/harvest.py
        sed -i 's/return len(_encoder(encoding).encode_ordinary(text))/return len(_encoder(encoding).encode(text))/' \
            tersify/tokens.py
        sed -i '1,3d' README.md
        printf 'def helper(x):\\n    return x + 1\\n' > tersify/helper.py
        git rm -q --cached samples/gcc_build.txt
        """)


SITE = "$SITE"  # replaced by the site-packages path in commands, and scrubbed back to a short path

STEPS: list[Step] = [
    # Test runs.
    Step("python -m pytest -q -p no:cacheprovider", "test", "pytest", "shop"),
    Step("python -m pytest -v -p no:cacheprovider --tb=short", "test", "pytest", "shop"),
    Step("python -m pytest -rA -q -p no:cacheprovider --tb=line", "test", "pytest", "shop"),
    Step("python -m pytest -p no:cacheprovider -x tests/test_cart.py", "test", "pytest", "shop"),
    Step("python -m pytest -q -p no:cacheprovider tests/test_segment.py tests/test_features.py", "test", "pytest",
         "proj"),
    Step("python -m pytest -v -p no:cacheprovider tests/test_segment.py tests/test_features.py tests/test_metrics.py",
         "test", "pytest", "proj", 300),
    Step("python -m unittest discover -v -s tests -t .", "test", "unittest", "shop"),
    # Tracebacks.
    Step("python scripts/chained.py", "traceback", "python"),
    Step("python scripts/lib_error.py", "traceback", "python"),
    Step("python scripts/async_fail.py", "traceback", "python"),
    Step("python -m json.tool data/bad.json", "traceback", "python"),
    Step("python -c 'import rich.console as c; c.Console().print(1, style=\"bold nonsense\")'", "traceback",
         "python"),
    # Builds and installs.
    Step("make", "build", "make", "warn"),
    Step("gcc -Wall -Wextra -Wformat=2 -fanalyzer -c warn.c -o /tmp/work/w.o", "build", "gcc", "warn", 240),
    Step("pip install --no-index --no-build-isolation --no-deps -v ./pkg --target /tmp/work/t", "build", "pip"),
    Step("pip wheel --no-index --no-build-isolation --no-deps -w /tmp/work/wh ./pkg", "build", "pip"),
    Step("cargo build --offline --color never -v", "build", "cargo", "rust/bad", 240),
    Step("cargo test --offline --color never", "test", "cargo", "rust/tests", 240),
    # git on a real repository.
    Step("git log -n 12", "git", "git", "proj"),
    Step("git log --oneline -n 40", "git", "git", "proj"),
    Step("git log -p -n 8 -- BENCHMARKS.md README.md", "diff", "git", "proj"),
    Step("git log --stat -n 4", "git", "git", "proj"),
    Step("git status", "git", "git", "proj"),
    Step("git status --short", "git", "git", "proj"),
    Step("git diff", "diff", "git", "proj"),
    Step("git diff --stat HEAD~3 HEAD", "git", "git", "proj"),
    Step("git show HEAD~2", "diff", "git", "proj"),
    Step("git show HEAD~4", "diff", "git", "proj"),
    Step("git show --format=fuller HEAD -- tersify/compaction/repeat.py tersify/tokens.py", "diff", "git", "proj"),
    Step("git diff HEAD~5 HEAD -- tersify/compress.py tersify/cli", "diff", "git", "proj"),
    Step("git blame -L 1,40 tersify/tokens.py", "git", "git", "proj"),
    Step("git branch -a -vv && git remote -v | sed 's#\\t.*# <url>#'", "git", "git", "proj"),
    # JSON tool results.
    Step("pip list --format json", "json", "pip"),
    Step("pip inspect | jq '.installed[:3]'", "json", "pip"),
    Step("python -m json.tool data/users.json", "json", "python"),
    Step("curl -s http://127.0.0.1:$PORT/api/users", "json", "curl"),
    Step("npm ls --json", "json", "npm", "js"),
    Step("cargo metadata --format-version 1 --offline --no-deps | jq .", "json", "cargo", "rust/tests"),
    Step("ruff check --no-cache --output-format json --select E,F,B,UP lint_me.py", "json", "ruff", "pkg"),
    Step("sqlite3 -json db/shop.db 'SELECT * FROM customers;'", "json", "sqlite3"),
    Step("node -p 'JSON.stringify(require(\"./package.json\"), null, 2)'", "json", "node", "js"),
    # Listings.
    Step(f"ls -l {SITE}/rich", "listing", "ls"),
    Step(f"ls -la {SITE}/urllib3", "listing", "ls"),
    Step(f"find {SITE}/click -name '*.py' | sort", "listing", "find"),
    Step(f"du -sh {SITE}/* | sort -h | tail -n 40", "listing", "du"),
    Step(f"du -ah {SITE}/requests | sort -h | tail -n 30", "listing", "du"),
    Step("df -h / /dev/shm", "listing", "df"),
    Step(f"ls -l {SITE} | head -n 150", "listing", "ls"),
    Step(f"find {SITE}/rich {SITE}/requests -type f | sort", "listing", "find"),
    Step("setsid bash scripts/workers.sh", "listing", "ps"),
    Step("ls -lR proj/tersify/compaction proj/tersify/regions", "listing", "ls"),
    # Search.
    Step(f"grep -rn 'def ' {SITE}/requests/sessions.py", "search", "grep"),
    Step(f"grep -rn -i timeout {SITE}/urllib3/util | head -n 80", "search", "grep"),
    Step(f"grep -rn TODO {SITE}/rich | head -n 40", "search", "grep"),
    Step("git grep -n count_tokens", "search", "git", "proj"),
    Step(f"grep -rn '^import\\|^from' {SITE}/requests", "search", "grep"),
    Step("grep -rn -C 2 'TersifyError(' proj/tersify | head -n 150", "search", "grep"),
    # Lint.
    Step(f"ruff check --no-cache --select E,F,W,B,UP --output-format concise {SITE}/click | head -n 120", "lint",
         "ruff"),
    Step(f"ruff check --no-cache --select ALL {SITE}/requests/auth.py | head -n 200", "lint", "ruff"),
    Step(f"ruff check --no-cache --select ALL --output-format concise {SITE}/rich/text.py | head -n 250", "lint",
         "ruff"),
    Step(f"ruff check --no-cache --statistics --select ALL {SITE}/urllib3", "lint", "ruff"),
    # HTTP and database errors.
    Step("curl -sv http://127.0.0.1:$PORT/api/users", "http", "curl"),
    Step("curl -si -X POST -H 'Content-Type: application/json' -d '{\"name\": \"eve\"}' "
         "http://127.0.0.1:$PORT/api/users", "http", "curl"),
    Step("sqlite3 db/shop.db 'SELECT email, total FROM customers NATURAL JOIN orders;'", "database", "sqlite3"),
    Step("python -c \"import sqlite3; c = sqlite3.connect('db/shop.db'); "
         "c.execute('INSERT INTO customers (id, email) VALUES (1, NULL)')\"", "database", "python"),
    # Plain explanatory text.
    Step("python -m pydoc textwrap.dedent json.dumps", "text", "pydoc"),
    Step("python -m pydoc subprocess.run", "text", "pydoc"),
    Step(f"sed -n '/^$/,$p' {SITE}/requests-*.dist-info/METADATA | head -n 120", "text", "metadata"),
    Step(f"sed -n '/^$/,$p' {SITE}/click-*.dist-info/METADATA | head -n 120", "text", "metadata"),
    Step("git help -g", "text", "git"),
]


def _scrub(text: str, root: Path, site: str, port: int) -> str:
    text = text.replace(site, "site-packages")
    text = text.replace(str(root.resolve()), "/tmp/work").replace(str(root), "/tmp/work")
    text = text.replace(str(Path(sys.executable).parent.parent), "/usr/local")
    for path in ("/work/main", str(REPO)):
        text = text.replace(path, "/home/user/src/tersify")
    text = text.replace(str(Path.home()), "/home/user")
    host = socket.gethostname()
    if host and len(host) > 2:
        text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", "host", text)
    text = re.sub(rf"(?<=[:/ ]){port}(?!\d)", "8765", text)
    text = re.sub(r"Seed [0-9a-f]+ maintainers <[^>]+>", "Alice Example <alice@example.com>", text)
    text = re.sub(r"\S+@users\.noreply\.\S+", "alice@example.com", text)
    return text


def _cut(text: str, kind: str) -> str | None:
    if len(text) <= MAX_CHARS:
        return text
    if kind == "json":
        return None
    cut = text.rfind("\ndiff --git", 0, MAX_CHARS) if kind == "diff" else text.rfind("\n", 0, MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]


def harvest() -> tuple[list[dict], list[str]]:
    """Run every step; return the records (id, kind, source, command, text) and what was skipped."""
    base = _harvest_module()
    root = Path(tempfile.mkdtemp(prefix="tersify-savings-"))
    site = sysconfig.get_paths()["purelib"]
    records: list[dict] = []
    skipped: list[str] = []
    server = None
    try:
        base._write_fixtures(root)
        for rel, content in FILES.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
        port = base._free_port()
        with open(root / "server.log", "w") as log:
            server = subprocess.Popen([sys.executable, "server/api.py", str(port)], cwd=root, stdout=log,
                                      stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"})
        env = base._env(root, port, server.pid)
        env["PYTHONPATH"] = f"{root / 'pkg'}:{root / 'shop'}"
        subprocess.run(["bash", "-c", base._git_script()], cwd=root, env=env, check=True, capture_output=True)
        subprocess.run(["bash", "-c", "sqlite3 db/shop.db < db/schema.sql"], cwd=root, env=env, capture_output=True)
        subprocess.run(["git", "clone", "-q", str(REPO), "proj"], cwd=root, env=env, check=True, capture_output=True)
        subprocess.run(["bash", "-c", _edit_clone()], cwd=root, env=env, check=True, capture_output=True)
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        for i, step in enumerate(STEPS):
            cmd = step.command.replace(SITE, site).replace("/tmp/work", str(root))
            run_env = dict(env, PYTHONPATH=env["PYTHONPATH"] + (f":{root / 'proj'}" if step.cwd == "proj" else ""))
            try:
                proc = subprocess.run(["bash", "-c", cmd], cwd=root / step.cwd, env=run_env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, timeout=step.timeout)
            except subprocess.TimeoutExpired:
                skipped.append(f"{step.command} (timed out)")
                continue
            text = _scrub(proc.stdout.decode("utf-8", errors="replace"), root, site, port).rstrip("\n")
            text = _cut(text, step.kind)
            if not text or not text.strip():
                skipped.append(f"{step.command} (no output or too long)")
                continue
            if any(f in text for f in _FORBIDDEN):
                skipped.append(f"{step.command} (mentions this machine)")
                continue
            shown = step.command.replace(SITE, "site-packages").replace("$PORT", "8765")
            prefix = f"cd {step.cwd} && " if step.cwd != "." else ""
            records.append({"id": f"harvest-{i:03d}-{step.tool}", "kind": step.kind, "source": f"harvest:{step.tool}",
                            "command": prefix + shown, "text": text})
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
    return records, skipped


if __name__ == "__main__":  # a quick look: python benchmarks/harvest_set.py
    recs, skip = harvest()
    for r in recs:
        print(f"{r['id']:28s} {r['kind']:9s} {len(r['text']):7d}  {r['command'][:70]}")
    print(*skip, sep="\n", file=sys.stderr)

