#!/usr/bin/env python3
"""Harvest real command outputs into ``data/corpus/real_outputs.jsonl``.

Builds small fixtures in a temporary directory (a Python package with failing tests,
C, Rust, Java and JavaScript code that does not compile or crashes, a git repository
with history and a merge conflict, a SQLite database, a local HTTP server on 127.0.0.1)
and runs the real programs of this machine on them: test runners, compilers, git,
listings, curl on loopback, linters, package tools. Each output is saved with its
command and exit code.

Safety: commands run with a minimal environment (no inherited variables), nothing
prints the environment, the only network traffic is to 127.0.0.1, and outputs are
scrubbed: the temporary directory becomes ``/tmp/work``, the machine's host name
becomes ``host``, the listening port becomes 8765. Programs that are missing are
skipped and reported.

    python scripts/harvest.py                 # writes the corpus
    python scripts/harvest.py --out FILE      # elsewhere
    python scripts/harvest.py --list          # show what would run

Long on purpose: most of it is data, the fixtures' source files and the table of steps
(``STEPS``), which read best beside each other; the logic is the last ~150 lines.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "data" / "corpus" / "real_outputs.jsonl"
PLACEHOLDER = "/tmp/work"
PORT_PLACEHOLDER = "8765"
MAX_CHARS = 8000  # longer outputs are cut at a line boundary (the corpus stays small)
# Outputs mentioning these are dropped: they would describe this machine, not the fixture.
_FORBIDDEN = ("sandboxing", "model_tools", "/work/main", "/work/shared")


@dataclass(frozen=True)
class Step:
    command: str  # run with bash -c in the fixture directory
    domain: str
    tool: str  # source becomes "real:<tool>"
    needs: str = ""  # a program that must exist, else the step is skipped
    cwd: str = "."  # relative to the fixture root
    timeout: float = 60.0


# --- fixtures ------------------------------------------------------------------------------

FILES: dict[str, str] = {
    # A small Python package with bugs, tests that fail, and lint problems.
    "pkg/pyproject.toml": """\
        [project]
        name = "invoicing"
        version = "0.3.1"
        requires-python = ">=3.9"
        """,
    "pkg/invoicing/__init__.py": "from invoicing.pricing import apply_discount, total\n",
    "pkg/invoicing/pricing.py": """\
        import json
        import os, sys


        def apply_discount(amount, percent):
            # Bug: rounds down instead of to nearest cent.
            return int(amount * (100 - percent)) / 100


        def total(lines):
            return sum(l["price"] * l["qty"] for l in lines)


        def load_rates(path):
            with open(path) as fh:
                return json.load(fh)


        def rate_for(rates, region):
            return rates[region]
        """,
    "pkg/tests/test_pricing.py": """\
        import pytest

        from invoicing.pricing import apply_discount, load_rates, rate_for, total


        @pytest.mark.parametrize("amount,percent,expected", [(100, 10, 90.0), (19.99, 15, 16.99), (5, 50, 2.5)])
        def test_discount_rounding(amount, percent, expected):
            assert apply_discount(amount, percent) == expected


        def test_total_empty():
            assert total([]) == 0


        def test_total_missing_qty():
            assert total([{"price": 3}]) == 3


        def test_rates_file(tmp_path):
            p = tmp_path / "rates.json"
            p.write_text("{'eu': 0.2}")
            assert load_rates(p)["eu"] == 0.2


        def test_rate_for_unknown_region():
            assert rate_for({"eu": 0.2}, "us") == 0.0


        @pytest.mark.skip(reason="needs the staging database")
        def test_sync_to_staging():
            pass
        """,
    "pkg/tests/test_unit.py": """\
        import unittest


        class TestParse(unittest.TestCase):
            def test_split(self):
                self.assertEqual("a,b,,c".split(","), ["a", "b", "c"])

            def test_int(self):
                self.assertEqual(int("42"), 42)
        """,
    "pkg/lint_me.py": """\
        import os
        import subprocess
        from typing import *


        def run(cmd, env={}):
            l = 1
            if cmd == None:
                return
            try:
                subprocess.call(cmd, shell=True)
            except:
                pass
            print(f"done")
        """,
    "pkg/broken_syntax.py": """\
        def handler(event):
            if event["type"] == "push"
                return True
            return False
        """,
    "scripts/crash_keyerror.py": """\
        import json

        CONFIG = {"db": {"host": "127.0.0.1", "port": 5432}}


        def get_setting(section, key):
            return CONFIG[section][key]


        def connect():
            user = get_setting("db", "user")
            return user


        if __name__ == "__main__":
            connect()
        """,
    "scripts/crash_json.py": """\
        import json
        import sys

        def parse(text):
            return json.loads(text)

        parse(open(sys.argv[1]).read())
        """,
    "scripts/crash_recursion.py": """\
        def walk(node):
            return walk(node.get("parent", node))

        walk({"id": 1})
        """,
    "scripts/crash_import.py": "import invoicing_extras\n",
    "scripts/crash_sqlite.py": """\
        import sqlite3

        con = sqlite3.connect("shop.db")
        con.execute("INSERT INTO users (id, email) VALUES (1, 'alice@example.com')")
        con.commit()
        """,
    "scripts/zero.py": """\
        import statistics

        def average_latency(samples):
            return sum(samples) / len(samples)

        print("p50:", statistics.median([12, 18, 9]))
        print("avg:", average_latency([]))
        """,
    "data/bad.json": "{\"user\": \"alice\", \"roles\": [\"admin\", ], \"id\": 42}\n",
    "data/users.json": json.dumps(
        {"users": [{"id": 1, "name": "alice", "active": True, "quota_mb": 512},
                   {"id": 2, "name": "bob", "active": False, "quota_mb": 0},
                   {"id": 3, "name": "carol", "active": True, "quota_mb": 2048}], "total": 3}, indent=2) + "\n",
    # C code: warnings, errors, a link error, and a program that crashes.
    "c/Makefile": """\
        CC = gcc
        CFLAGS = -Wall -Wextra -O2 -g

        all: app

        app: main.o buffer.o
        \t$(CC) $(CFLAGS) -o app main.o buffer.o

        %.o: %.c
        \t$(CC) $(CFLAGS) -c $< -o $@

        clean:
        \trm -f *.o app
        """,
    "c/main.c": """\
        #include <stdio.h>
        #include "buffer.h"

        int main(int argc, char **argv) {
            struct buffer *b = buffer_new(64);
            int unused;
            for (int i = 0; i < argc; i++) {
                buffer_append(b, argv[i]);
            }
            printf("%s\\n", buffer_str(b))
            return 0;
        }
        """,
    "c/buffer.h": """\
        struct buffer;
        struct buffer *buffer_new(unsigned long cap);
        void buffer_append(struct buffer *b, const char *s);
        const char *buffer_str(struct buffer *b);
        """,
    "c/buffer.c": """\
        #include <stdlib.h>
        #include <string.h>
        #include "buffer.h"

        struct buffer { char *data; unsigned long len, cap; };

        struct buffer *buffer_new(unsigned long cap) {
            struct buffer *b = malloc(sizeof *b);
            b->data = malloc(cap);
            b->len = 0;
            b->cap = cap;
            return b;
        }

        void buffer_append(struct buffer *b, const char *s) {
            int n = strlen(s);
            if (b->len + n > b->cap) { grow(b, n); }
            memcpy(b->data + b->len, s, n);
            b->len += n;
        }
        """,
    "c/segv.c": """\
        #include <stdio.h>
        #include <string.h>

        struct node { int id; struct node *next; };

        int count(struct node *n) {
            int c = 0;
            while (n->id >= 0) { c++; n = n->next; }
            return c;
        }

        int main(void) {
            struct node a = {1, NULL};
            printf("nodes: %d\\n", count(&a));
            return 0;
        }
        """,
    "c/ok.c": """\
        #include <stdio.h>
        int add(int a, int b) { return a + b; }
        int main(void) { printf("%d\\n", add(2, 3)); return 0; }
        """,
    # Rust: a crate that does not compile and one with a failing test.
    "rust/bad/Cargo.toml": '[package]\nname = "ledger"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
    "rust/bad/src/main.rs": """\
        use std::collections::HashMap;

        fn balance(entries: &Vec<(String, i64)>) -> i64 {
            entries.iter().map(|(_, v)| v).sum()
        }

        fn main() {
            let entries = vec![("rent".to_string(), -1200), ("salary".to_string(), 3000)];
            let total: u32 = balance(&entries);
            let moved = entries;
            println!("{} {}", total, entries.len());
        }
        """,
    "rust/tests/Cargo.toml": '[package]\nname = "parser"\nversion = "0.2.0"\nedition = "2021"\n\n[dependencies]\n',
    "rust/tests/src/lib.rs": """\
        pub fn parse_duration_ms(s: &str) -> Option<u64> {
            if let Some(v) = s.strip_suffix("ms") { return v.parse().ok(); }
            if let Some(v) = s.strip_suffix('s') { return v.parse::<u64>().ok().map(|x| x * 100); }
            None
        }

        #[cfg(test)]
        mod tests {
            use super::*;
            #[test]
            fn millis() { assert_eq!(parse_duration_ms("250ms"), Some(250)); }
            #[test]
            fn seconds() { assert_eq!(parse_duration_ms("3s"), Some(3000)); }
            #[test]
            fn garbage() { assert_eq!(parse_duration_ms("abc"), None); }
            #[test]
            fn unwrap_none() { let v: Option<u64> = parse_duration_ms("5m"); v.unwrap(); }
        }
        """,
    # Java: a compile error and a runtime exception.
    "java/Bad.java": """\
        import java.util.List;

        public class Bad {
            public static void main(String[] args) {
                List<String> names = List.of("a", "b");
                int n = names.size()
                String s = names.get(n);
                System.out.println(count);
            }
        }
        """,
    "java/Orders.java": """\
        import java.util.HashMap;
        import java.util.Map;

        public class Orders {
            static Map<String, Integer> stock = new HashMap<>();

            static int reserve(String sku, int qty) {
                Integer have = stock.get(sku);
                if (have < qty) {
                    throw new IllegalStateException("not enough stock for " + sku);
                }
                return have - qty;
            }

            public static void main(String[] args) {
                stock.put("SKU-1001", 4);
                System.out.println(reserve("SKU-1001", 2));
                System.out.println(reserve("SKU-2002", 1));
            }
        }
        """,
    # JavaScript: a crash, node's test runner and an npm script that fails.
    "js/package.json": json.dumps({"name": "webhooks", "version": "1.4.0", "private": True,
                                   "scripts": {"test": "node --test", "build": "node build.js",
                                               "lint": "node lint.js"}}, indent=2) + "\n",
    "js/handler.js": """\
        function verify(event) {
          return event.headers['x-signature'].startsWith('sha256=');
        }
        module.exports = { verify };
        if (require.main === module) {
          verify({ body: '{}' });
        }
        """,
    "js/build.js": """\
        const fs = require('fs');
        const cfg = JSON.parse(fs.readFileSync('webhooks.config.json', 'utf8'));
        console.log('building', cfg.name);
        """,
    "js/lint.js": "console.error('src/index.js:14:3  error  no-unused-vars  \\'retry\\' is defined but never used');\n"
                  "console.error('\\n1 problem (1 error, 0 warnings)');\nprocess.exit(1);\n",
    "js/test/verify.test.js": """\
        const test = require('node:test');
        const assert = require('node:assert');
        const { verify } = require('../handler');

        test('accepts a sha256 signature', () => {
          assert.strictEqual(verify({ headers: { 'x-signature': 'sha256=abc' } }), true);
        });

        test('rejects a sha1 signature', () => {
          assert.strictEqual(verify({ headers: { 'x-signature': 'sha1=abc' } }), true);
        });

        test('handles missing headers', () => {
          assert.strictEqual(verify({}), false);
        });
        """,
    # SQLite.
    "db/schema.sql": """\
        CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, plan TEXT DEFAULT 'free');
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                             total_cents INTEGER NOT NULL CHECK (total_cents >= 0), created_at TEXT);
        CREATE INDEX idx_orders_customer ON orders(customer_id);
        INSERT INTO customers (email, plan) VALUES ('alice@example.com', 'pro'), ('bob@example.com', 'free'),
                                                   ('carol@example.com', 'team');
        INSERT INTO orders (customer_id, total_cents, created_at) VALUES (1, 4599, '2024-03-01'),
            (1, 1299, '2024-03-04'), (2, 0, '2024-03-05'), (3, 25000, '2024-03-09');
        """,
    # A JSON API on loopback, with errors.
    "server/api.py": """\
        import json
        import sys
        from http.server import BaseHTTPRequestHandler, HTTPServer

        USERS = {"1": {"id": 1, "name": "alice", "roles": ["admin"], "quota_mb": 512},
                 "2": {"id": 2, "name": "bob", "roles": [], "quota_mb": 0}}


        class Handler(BaseHTTPRequestHandler):
            server_version = "fixture-api/0.1"
            sys_version = ""

            def _send(self, code, obj, headers=()):
                body = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/health":
                    return self._send(200, {"status": "ok", "db": "ok", "uptime_s": 12})
                if self.path.startswith("/api/users/"):
                    uid = self.path.rsplit("/", 1)[1]
                    if uid in USERS:
                        return self._send(200, USERS[uid])
                    return self._send(404, {"error": "not_found", "message": f"user {uid} does not exist"})
                if self.path == "/api/users":
                    return self._send(200, {"data": list(USERS.values()), "total": len(USERS)})
                if self.path == "/api/limited":
                    return self._send(429, {"error": "rate_limited", "retry_after": 30}, [("Retry-After", "30")])
                if self.path == "/api/boom":
                    return self._send(500, {"error": "internal", "message": "division by zero in report.py:88"})
                if self.path == "/old":
                    self.send_response(301)
                    self.send_header("Location", "/api/users")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._send(404, {"error": "not_found", "path": self.path})

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(n)
                try:
                    data = json.loads(raw)
                except ValueError as exc:
                    return self._send(400, {"error": "bad_json", "message": str(exc)})
                if "email" not in data:
                    return self._send(422, {"error": "validation", "fields": {"email": "required"}})
                return self._send(201, {"id": 3, **data})

            def log_message(self, fmt, *args):
                sys.stderr.write("%s - %s\\n" % (self.address_string(), fmt % args))


        HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
        """,
    "notes/CHANGELOG.md": "# Changelog\n\n## 0.3.1\n- Fix rounding in apply_discount\n",
}


def _git_script() -> str:
    """A repository with history, a branch, and a merge that conflicts."""
    return textwrap.dedent("""\
        set -e
        mkdir -p repo && cd repo
        git init -q -b main
        printf 'timeout = 30\\nretries = 3\\nendpoint = http://127.0.0.1:8765/api\\n' > settings.ini
        printf 'def fetch(url):\\n    return get(url, timeout=30)\\n' > client.py
        git add . && git commit -q -m "Initial client and settings"
        printf 'def fetch(url, retries=3):\\n    for attempt in range(retries):\\n        return get(url, timeout=30)\\n' > client.py
        git commit -q -am "Retry fetch up to 3 times"
        git checkout -q -b feature/backoff
        sed -i 's/timeout = 30/timeout = 60/' settings.ini
        printf 'def fetch(url, retries=5, backoff=0.5):\\n    for attempt in range(retries):\\n        sleep(backoff * 2 ** attempt)\\n        return get(url, timeout=60)\\n' > client.py
        git commit -q -am "Exponential backoff, timeout 60s"
        git checkout -q main
        sed -i 's/timeout = 30/timeout = 45/' settings.ini
        printf 'def fetch(url, retries=3):\\n    for attempt in range(retries):\\n        return get(url, timeout=45)\\n' > client.py
        git commit -q -am "Raise timeout to 45s"
        echo "# scratch" > notes.txt
        """)


STEPS: list[Step] = [
    # Python tests and tracebacks.
    Step("python -m pytest -q", "test", "pytest", "pytest", "pkg"),
    Step("python -m pytest -v --tb=short -p no:cacheprovider", "test", "pytest", "pytest", "pkg"),
    Step("python -m pytest -x --tb=long -p no:cacheprovider tests/test_pricing.py", "test", "pytest", "pytest", "pkg"),
    Step("python -m pytest --tb=line -q -rs -p no:cacheprovider", "test", "pytest", "pytest", "pkg"),
    Step("python -m pytest -q -k total -p no:cacheprovider", "test", "pytest", "pytest", "pkg"),
    Step("python -m pytest -q -p no:cacheprovider tests/test_nothing.py", "test", "pytest", "pytest", "pkg"),
    Step("python -m unittest -v tests.test_unit", "test", "unittest", "python3", "pkg"),
    Step("python scripts/crash_keyerror.py", "traceback", "python", "python3"),
    Step("python scripts/crash_json.py data/bad.json", "traceback", "python", "python3"),
    Step("python scripts/crash_recursion.py 2>&1 | tail -n 12", "traceback", "python", "python3"),
    Step("python scripts/crash_import.py", "traceback", "python", "python3"),
    Step("cd db && python ../scripts/crash_sqlite.py", "traceback", "python", "python3"),
    Step("python scripts/zero.py", "traceback", "python", "python3"),
    Step("python -c 'import invoicing.billing'", "traceback", "python", "python3"),
    Step("python -m py_compile pkg/broken_syntax.py", "build", "python", "python3"),
    Step("python -c \"import json; json.load(open('data/bad.json'))\"", "traceback", "python", "python3"),
    # Linters.
    Step("ruff check --no-cache lint_me.py broken_syntax.py", "lint", "ruff", "ruff", "pkg"),
    Step("ruff check --no-cache --select ALL --output-format concise invoicing", "lint", "ruff", "ruff", "pkg"),
    Step("ruff check --no-cache --statistics --select E,F,B,UP,I .", "lint", "ruff", "ruff", "pkg"),
    Step("ruff format --no-cache --diff invoicing lint_me.py", "lint", "ruff", "ruff", "pkg"),
    # Package tools (no index: never touches the network).
    Step("pip install --no-index --no-cache-dir invoicing-extras==2.0", "package", "pip", "pip"),
    Step("pip install --no-index --no-cache-dir --dry-run ./pkg", "package", "pip", "pip"),
    Step("pip show numpy", "package", "pip", "pip"),
    Step("pip download --no-index -d /tmp/work/dl requests==0.0.1", "package", "pip", "pip"),
    # C: compiler, make, crashes, binary tools.
    Step("gcc -Wall -Wextra -c main.c -o main.o", "build", "gcc", "gcc", "c"),
    Step("gcc -Wall -Wextra -std=c11 -c buffer.c -o buffer.o", "build", "gcc", "gcc", "c"),
    Step("make", "build", "make", "make", "c"),
    Step("make -k all", "build", "make", "make", "c"),
    Step("make install", "build", "make", "make", "c"),
    Step("gcc -O0 -g -o segv segv.c && ./segv; exit $?", "build", "gcc", "gcc", "c"),
    Step("gcc -o ok ok.c && ./ok && nm ok | head -n 20", "binary", "nm", "nm", "c"),
    Step("gcc -o ok ok.c && readelf -h ok", "binary", "readelf", "readelf", "c"),
    Step("gcc -c ok.c -o ok.o && objdump -d ok.o | head -n 40", "binary", "objdump", "objdump", "c"),
    Step("gcc -o ok ok.c && ldd ok | sed 's/ (0x[0-9a-f]*)//'", "binary", "ldd", "ldd", "c"),
    Step("gcc -o ok ok.c && file ok ok.c Makefile", "listing", "file", "file", "c"),
    Step("xxd ok.c | head -n 8", "binary", "xxd", "xxd", "c"),
    Step("gcc -fsyntax-only -Wall segv.c main.c", "build", "gcc", "gcc", "c"),
    # Rust.
    Step("cargo build --offline --color never", "build", "cargo", "cargo", "rust/bad", 240),
    Step("cargo test --offline --color never", "test", "cargo", "cargo", "rust/tests", 240),
    Step("cargo test --offline --color never -- --test-threads=1 seconds", "test", "cargo", "cargo", "rust/tests", 240),
    Step("rustc --edition 2021 --color never src/main.rs -o /tmp/work/rmain", "build", "rustc", "rustc", "rust/bad", 120),
    # Java.
    Step("javac Bad.java", "build", "javac", "javac", "java"),
    Step("javac -d out Orders.java && java -cp out Orders", "traceback", "java", "java", "java"),
    # JavaScript.
    Step("node handler.js", "traceback", "node", "node", "js"),
    Step("node --test", "test", "node", "node", "js"),
    Step("npm test --silent", "test", "npm", "npm", "js"),
    Step("npm run build", "build", "npm", "npm", "js"),
    Step("npm run lint", "lint", "npm", "npm", "js"),
    Step("npm run deploy", "build", "npm", "npm", "js"),
    Step("node -e \"JSON.parse('{bad json}')\"", "traceback", "node", "node", "js"),
    # git.
    Step("git log --oneline --graph --all", "vcs", "git", "git", "repo"),
    Step("git log --stat -n 3", "vcs", "git", "git", "repo"),
    Step("git show HEAD~1", "diff", "git", "git", "repo"),
    Step("git diff main feature/backoff", "diff", "git", "git", "repo"),
    Step("git diff --stat main feature/backoff", "diff", "git", "git", "repo"),
    Step("git branch -a -v", "vcs", "git", "git", "repo"),
    Step("git status", "vcs", "git", "git", "repo"),
    Step("git merge feature/backoff", "vcs", "git", "git", "repo"),
    Step("git status", "vcs", "git", "git", "repo"),
    Step("git diff", "diff", "git", "git", "repo"),
    Step("git merge --continue", "vcs", "git", "git", "repo"),
    Step("git merge --abort && git status --short --branch", "vcs", "git", "git", "repo"),
    Step("git blame client.py", "vcs", "git", "git", "repo"),
    Step("git checkout does-not-exist", "vcs", "git", "git", "repo"),
    Step("git push origin main", "vcs", "git", "git", "repo"),
    Step("git log -p -n 1 --format=fuller", "diff", "git", "git", "repo"),
    Step("git reflog -n 8", "vcs", "git", "git", "repo"),
    Step("diff -u pkg/invoicing/pricing.py pkg/lint_me.py", "diff", "diff", "diff"),
    # SQLite.
    Step("sqlite3 shop.db < schema.sql && sqlite3 -header -column shop.db "
         "'SELECT c.email, count(o.id) AS orders, sum(o.total_cents) AS cents FROM customers c "
         "LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id;'", "database", "sqlite3", "sqlite3", "db"),
    Step("sqlite3 shop.db 'SELECT * FROM order_items;'", "database", "sqlite3", "sqlite3", "db"),
    Step("sqlite3 shop.db \"INSERT INTO customers (email) VALUES ('alice@example.com');\"", "database", "sqlite3",
         "sqlite3", "db"),
    Step("sqlite3 shop.db 'SELEC id FROM customers;'", "database", "sqlite3", "sqlite3", "db"),
    Step("sqlite3 shop.db 'INSERT INTO orders (customer_id, total_cents) VALUES (2, -5);'", "database", "sqlite3",
         "sqlite3", "db"),
    Step("sqlite3 shop.db '.schema'", "database", "sqlite3", "sqlite3", "db"),
    Step("sqlite3 -header shop.db 'EXPLAIN QUERY PLAN SELECT * FROM orders WHERE customer_id = 1;'", "database",
         "sqlite3", "sqlite3", "db"),
    Step("sqlite3 -json shop.db 'SELECT * FROM orders ORDER BY total_cents DESC LIMIT 3;'", "json", "sqlite3",
         "sqlite3", "db"),
    Step("sqlite3 shop.db 'PRAGMA integrity_check; PRAGMA foreign_key_list(orders);'", "database", "sqlite3",
         "sqlite3", "db"),
    # HTTP on loopback.
    Step("curl -sv http://127.0.0.1:$PORT/api/users/1", "http", "curl", "curl"),
    Step("curl -i http://127.0.0.1:$PORT/api/users/9", "http", "curl", "curl"),
    Step("curl -s http://127.0.0.1:$PORT/api/users | jq .", "json", "curl", "jq"),
    Step("curl -sS --fail http://127.0.0.1:$PORT/api/boom", "http", "curl", "curl"),
    Step("curl -si http://127.0.0.1:$PORT/api/limited", "http", "curl", "curl"),
    Step("curl -sv -X POST -H 'Content-Type: application/json' -d '{\"name\": \"dave\"}' "
         "http://127.0.0.1:$PORT/api/users", "http", "curl", "curl"),
    Step("curl -si -X POST -d '{bad' http://127.0.0.1:$PORT/api/users", "http", "curl", "curl"),
    Step("curl -sIL http://127.0.0.1:$PORT/old", "http", "curl", "curl"),
    Step("curl -sS http://127.0.0.1:1/health", "http", "curl", "curl"),
    Step("curl -sS --max-time 2 http://127.0.0.1:$PORT/health -w '\\n%{http_code} %{size_download}\\n'", "http",
         "curl", "curl"),
    Step("cat server.log", "http", "http.server", "python3"),
    # Listings and search.
    Step("ls -la", "listing", "ls", "ls"),
    Step("ls -laR pkg | head -n 40", "listing", "ls", "ls"),
    Step("ls -l --time-style=long-iso c repo", "listing", "ls", "ls"),
    Step("ls missing-dir", "listing", "ls", "ls"),
    Step("find . -name '*.py' -not -path './pkg/.ruff_cache/*' | sort", "listing", "find", "find"),
    Step("find . -type f -size +1k -newer notes/CHANGELOG.md | sort | head -n 20", "listing", "find", "find"),
    Step("du -sh * | sort -h", "listing", "du", "du"),
    Step("df -h /tmp/work", "listing", "df", "df"),
    Step("df -i /tmp/work", "listing", "df", "df"),
    Step("ps -o pid,ppid,stat,rss,vsz,args -p $SERVER_PID,$$", "listing", "ps", "ps"),
    Step("stat pkg/invoicing/pricing.py", "listing", "stat", "stat"),
    Step("wc -l pkg/invoicing/*.py pkg/tests/*.py c/*.c", "listing", "wc", "wc"),
    Step("tar czf /tmp/work/pkg.tgz pkg/invoicing && tar tvzf /tmp/work/pkg.tgz", "listing", "tar", "tar"),
    Step("grep -rn 'def ' pkg/invoicing", "search", "grep", "grep"),
    Step("grep -rn --include='*.py' -e timeout -e retries .", "search", "grep", "grep"),
    Step("grep -rn -i -e todo -e bug pkg", "search", "grep", "grep"),
    Step("grep -rnw -C 1 'return' c", "search", "grep", "grep"),
    Step("git grep -n fetch", "search", "git", "git", "repo"),
    Step("jq '.users[] | select(.active) | {name, quota_mb}' data/users.json", "json", "jq", "jq"),
    Step("jq . data/bad.json", "json", "jq", "jq"),
    Step("jq '.users | map(.quota_mb) | add' data/users.json", "json", "jq", "jq"),
]


# --- running ---------------------------------------------------------------------------------


def _write_fixtures(root: Path) -> None:
    for rel, content in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content))
    (root / "home").mkdir()
    stamp = 1710237600  # 2024-03-12 10:00 UTC: listings of the fixtures show stable dates
    for path in root.rglob("*"):
        os.utime(path, (stamp, stamp))


def _env(root: Path, port: int, server_pid: int) -> dict[str, str]:
    """A minimal environment built from scratch: nothing of the caller's leaks in."""
    fixed_date = "2024-03-12T10:00:00+00:00"
    return {
        # The running interpreter's bin first, so python/pip/pytest/ruff are the project's.
        "PATH": str(Path(sys.executable).parent) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        + (":" + str(Path.home() / ".cargo" / "bin") if (Path.home() / ".cargo" / "bin").is_dir() else ""),
        "HOME": str(root / "home"),
        "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
        "CARGO_HOME": str(root / "home" / ".cargo"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "TZ": "UTC",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(root / "pkg"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "NPM_CONFIG_UPDATE_NOTIFIER": "false",
        "NPM_CONFIG_OFFLINE": "true",
        "NPM_CONFIG_FUND": "false",
        "NPM_CONFIG_AUDIT": "false",
        "GIT_AUTHOR_NAME": "Alice Example",
        "GIT_AUTHOR_EMAIL": "alice@example.com",
        "GIT_COMMITTER_NAME": "Alice Example",
        "GIT_COMMITTER_EMAIL": "alice@example.com",
        "GIT_AUTHOR_DATE": fixed_date,
        "GIT_COMMITTER_DATE": fixed_date,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
        "PORT": str(port),
        "SERVER_PID": str(server_pid),
    }


def _scrub(text: str, root: Path, port: int) -> str:
    text = text.replace(str(root.resolve()), PLACEHOLDER).replace(str(root), PLACEHOLDER)
    host = socket.gethostname()
    if host and len(host) > 2:
        text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", "host", text)
    text = re.sub(rf"(?<=[:/ ]){port}(?!\d)", PORT_PLACEHOLDER, text)
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS)
        text = text[: cut if cut > 0 else MAX_CHARS]
    return text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def harvest(out: Path, *, keep_fixtures: bool = False) -> tuple[int, list[str]]:
    root = Path(tempfile.mkdtemp(prefix="tersify-harvest-"))
    skipped: list[str] = []
    records: list[dict] = []
    server = None
    try:
        _write_fixtures(root)
        port = _free_port()
        if port == int(PORT_PLACEHOLDER):
            port = _free_port()
        with open(root / "server.log", "w") as log:
            server = subprocess.Popen([sys.executable, "server/api.py", str(port)], cwd=root, stdout=log,
                                      stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"})
        env = _env(root, port, server.pid)
        # Fixed command: git history (dates fixed, so commit ids are stable).
        subprocess.run(["bash", "-c", _git_script()], cwd=root, env=env, check=True, capture_output=True)
        for _ in range(50):  # wait for the server
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        # The "/tmp/work" placeholder also names a real path for commands that write there.
        with Progress() as progress:
            task = progress.add_task("harvesting", total=len(STEPS))
            for i, step in enumerate(STEPS):
                progress.advance(task)
                if step.needs and shutil.which(step.needs, path=env["PATH"]) is None:
                    skipped.append(f"{step.command} (no {step.needs})")
                    continue
                cmd = step.command.replace("/tmp/work", str(root))
                try:
                    proc = subprocess.run(["bash", "-c", cmd], cwd=root / step.cwd, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, timeout=step.timeout)
                    output, code = proc.stdout.decode("utf-8", errors="replace"), proc.returncode
                except subprocess.TimeoutExpired:
                    skipped.append(f"{step.command} (timed out)")
                    continue
                text = _scrub(output, root, port).rstrip("\n")
                if not text.strip():
                    skipped.append(f"{step.command} (no output)")
                    continue
                if any(f in text for f in _FORBIDDEN):
                    skipped.append(f"{step.command} (mentions this machine)")
                    continue
                shown = step.command.replace("$PORT", PORT_PLACEHOLDER)
                prefix = f"cd {step.cwd} && " if step.cwd != "." else ""
                records.append({"text": text, "command": prefix + shown, "exit_code": code, "domain": step.domain,
                                "source": f"real:{step.tool}", "id": f"real-{i:03d}-{step.tool}"})
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if not keep_fixtures:
            shutil.rmtree(root, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return len(records), skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run real programs on small fixtures and save their outputs "
                                                 "(with command and exit code) as a JSONL corpus.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})")
    parser.add_argument("--list", action="store_true", help="print the commands and exit")
    parser.add_argument("--keep-fixtures", action="store_true", help="leave the temporary fixture directory")
    args = parser.parse_args(argv)
    if args.list:
        for s in STEPS:
            print(f"[{s.domain:9s}] ({s.cwd}) {s.command}")
        return 0
    n, skipped = harvest(args.out, keep_fixtures=args.keep_fixtures)
    print(f"wrote {n} outputs to {args.out} ({args.out.stat().st_size / 1024:.0f} KiB); skipped {len(skipped)}")
    for s in skipped:
        print(f"  skipped: {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
