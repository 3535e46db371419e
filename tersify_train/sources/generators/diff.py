"""Code diffs: ``git diff``, ``git show``, ``diff -u``, with renames, new files and stats."""

from __future__ import annotations

import random

from tersify_train.sources.generators import _code
from tersify_train.sources.generators import _vocab as v


def _hunk(rng: random.Random, lang: str) -> list[str]:
    old_start = rng.randint(1, 400)
    lines: list[str] = []
    n_old = n_new = 0
    ind = _code.indent(rng, lang)
    for _ in range(rng.randint(3, 12)):
        kind = rng.choices((" ", "-", "+"), weights=(5, 2, 3))[0]
        lines.append(f"{kind}{ind}{_code.code_line(rng, lang)}")
        n_old += kind != "+"
        n_new += kind != "-"
        if rng.random() < 0.2:
            ind = _code.indent(rng, lang)
    ctx = ""
    if rng.random() < 0.7:
        ctx = " " + {"python": f"def {v.snake(rng)}(", "go": f"func {v.camel(rng, True)}(",
                     "rust": f"fn {v.snake(rng)}(", "javascript": f"function {v.camel(rng)}(",
                     "java": f"public void {v.camel(rng)}("}[lang]
    new_start = max(1, old_start + rng.randint(-5, 8))
    return [f"@@ -{old_start},{n_old} +{new_start},{n_new} @@{ctx}", *lines]


def _file_diff(rng: random.Random, lang: str) -> list[str]:
    path = v.module_path(rng, v.LANG_EXT[lang])
    out = [f"diff --git a/{path} b/{path}"]
    r = rng.random()
    if r < 0.1:
        out += ["new file mode 100644", f"index 0000000..{v.hexstr(rng, 7)}", "--- /dev/null", f"+++ b/{path}"]
        body = [f"+{_code.code_line(rng, lang)}" for _ in range(rng.randint(3, 10))]
        return [*out, f"@@ -0,0 +1,{len(body)} @@", *body]
    if r < 0.18:
        new = v.module_path(rng, v.LANG_EXT[lang])
        out = [f"diff --git a/{path} b/{new}", f"similarity index {rng.randint(60, 99)}%",
               f"rename from {path}", f"rename to {new}"]
        if rng.random() < 0.5:
            return out
        path_b = new
    else:
        path_b = path
    out += [f"index {v.hexstr(rng, 7)}..{v.hexstr(rng, 7)} {rng.choice(('100644', '100755'))}",
            f"--- a/{path}", f"+++ b/{path_b}"]
    for _ in range(rng.randint(1, 3)):
        out += _hunk(rng, lang)
    return out


def _commit_header(rng: random.Random) -> list[str]:
    user = rng.choice(v.USERS)
    msg = rng.choice((f"Fix {rng.choice(v.NOUNS)} rounding in {v.snake(rng)}",
                      f"Add retry to {rng.choice(v.PROJECTS)} client",
                      f"Refactor {rng.choice(v.STEMS)} handling", f"Bump {rng.choice(v.PROJECTS)} to {v.version(rng)}",
                      f"Handle missing {rng.choice(v.NOUNS)} in {v.camel(rng)}"))
    return [f"commit {v.hexstr(rng, 40)}", f"Author: {user.capitalize()} <{user}@example.com>",
            f"Date:   {rng.choice(('Mon', 'Tue', 'Wed', 'Thu', 'Fri'))} {rng.choice(v.MONTHS)} "
            f"{rng.randint(1, 28)} {v.clock(rng)} 2024 +0000", "", f"    {msg}", ""]


def _stat(rng: random.Random, paths: list[str]) -> list[str]:
    out, ins, dels = [], 0, 0
    width = max(len(p) for p in paths)
    for p in paths:
        a, d = rng.randint(0, 40), rng.randint(0, 30)
        ins, dels = ins + a, dels + d
        out.append(f" {p.ljust(width)} | {a + d:>3} {'+' * min(a, 20)}{'-' * min(d, 20)}")
    out.append(f" {len(paths)} file{'s' * (len(paths) > 1)} changed, {ins} insertions(+), {dels} deletions(-)")
    return out


def generate_one(rng: random.Random) -> str:
    lang = rng.choice(_code.LANGUAGES)
    layout = rng.random()
    if layout < 0.15:
        # diff -u between two files, with timestamps.
        path = v.module_path(rng, v.LANG_EXT[lang])
        lines = [f"--- {path}.orig\t2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {v.clock(rng)}.{rng.randint(0, 999999999):09d} +0000",
                 f"+++ {path}\t2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {v.clock(rng)}.{rng.randint(0, 999999999):09d} +0000"]
        lines += _hunk(rng, lang)
        return "\n".join(lines)
    lines = _commit_header(rng) if layout < 0.4 else []
    files = [_file_diff(rng, lang if rng.random() < 0.8 else rng.choice(_code.LANGUAGES))
             for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.25:
        lines += _stat(rng, [f[0].split(" b/", 1)[1] for f in files]) + [""]
    for f in files:
        lines += f
    return "\n".join(lines)
