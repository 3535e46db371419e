"""Search results: ``grep -rn``, ``rg`` (grouped by file, with a heading), ``git grep``,
with context lines and "binary file matches" notices."""

from __future__ import annotations

import random

from tersify_train.sources.generators import _code
from tersify_train.sources.generators import _vocab as v


def _hits(rng: random.Random, needle_lang: str) -> list[tuple[str, int, str]]:
    hits = []
    for _ in range(rng.randint(1, 5)):
        path = v.module_path(rng, v.LANG_EXT[needle_lang])
        for _ in range(rng.randint(1, 4)):
            hits.append((path, rng.randint(1, 1200), _code.indent(rng, needle_lang) + _code.code_line(rng, needle_lang)))
    return hits


def _grep(rng: random.Random) -> list[str]:
    lang = rng.choice(_code.LANGUAGES)
    hits = _hits(rng, lang)
    out = []
    if rng.random() < 0.35:
        term = rng.choice((v.snake(rng), v.camel(rng), rng.choice(v.NOUNS), "TODO", "FIXME"))
        flags = rng.choice(("-rn", "-rni", f"-rn --include='*.{v.LANG_EXT[lang]}'", "-rnw"))
        out.append(f"$ grep {flags} '{term}' {rng.choice(('.', 'src/', 'lib/', 'app/'))}")
    context = rng.random() < 0.25
    for path, line, code in hits:
        if context:
            out.append(f"{path}-{line - 1}-{_code.indent(rng, lang)}{_code.code_line(rng, lang)}")
        out.append(f"{path}:{line}:{code}")
        if context:
            out.append(f"{path}-{line + 1}-{_code.indent(rng, lang)}{_code.code_line(rng, lang)}")
            out.append("--")
    if rng.random() < 0.2:
        out.append(f"grep: {rng.choice(('build', 'dist', 'target'))}/{rng.choice(v.STEMS)}.{rng.choice(('so', 'o', 'pyc', 'wasm'))}: binary file matches")
    if rng.random() < 0.1:
        out.append(f"grep: {rng.choice(v.DIRS)}/{rng.choice(v.STEMS)}.lock: Permission denied")
    return out


def _rg(rng: random.Random) -> list[str]:
    lang = rng.choice(_code.LANGUAGES)
    out = []
    by_file: dict[str, list[tuple[int, str]]] = {}
    for path, line, code in _hits(rng, lang):
        by_file.setdefault(path, []).append((line, code))
    for path, rows in by_file.items():
        out.append(path)
        for line, code in sorted(rows):
            out.append(f"{line}:{code}" if rng.random() < 0.8 else f"{line}:{rng.randint(1, 40)}:{code}")
        out.append("")
    if rng.random() < 0.3:
        n = sum(len(r) for r in by_file.values())
        out.append(f"{n} matches\n{n} matched lines\n{len(by_file)} files contained matches\n"
                   f"{rng.randint(len(by_file), 900)} files searched\n{rng.randint(1000, 9 * 10**6)} bytes searched\n{rng.uniform(0, 1):.6f} seconds")
    return out


def _git_grep(rng: random.Random) -> list[str]:
    lang = rng.choice(_code.LANGUAGES)
    rev = rng.choice(("", "HEAD~1:", "main:", f"{v.hexstr(rng, 7)}:"))
    out = [f"{rev}{p}:{n}:{c}" for p, n, c in _hits(rng, lang)]
    if rng.random() < 0.4:
        out = [f"$ git grep -n {rng.choice(('-e', '-w', '-i'))} {v.snake(rng)}{' ' + rev.rstrip(':') if rev else ''}", *out]
    return out


def _config_hits(rng: random.Random) -> list[str]:
    """grep over logs and config files (not code): key=value lines and log lines."""
    out = []
    for _ in range(rng.randint(2, 10)):
        if rng.random() < 0.5:
            f = f"/etc/{rng.choice(v.PROJECTS)}/{rng.choice(('app.conf', 'settings.ini', 'env.conf', 'nginx.conf'))}"
            key = rng.choice(("max_connections", "timeout", "listen", "worker_processes", "log_level", "pool_size", "retries", "bind"))
            val = rng.choice((str(rng.randint(1, 10000)), f"{rng.randint(1, 120)}s", "127.0.0.1:" + str(rng.randint(1000, 9999)), "debug", "info"))
            out.append(f"{f}:{rng.randint(1, 300)}:{key} = {val}")
        else:
            f = f"/var/log/{rng.choice(v.PROJECTS)}/{rng.choice(('app.log', 'error.log', 'worker.log'))}"
            out.append(f"{f}:{rng.randint(1, 90000)}:{v.iso_time(rng)} {rng.choice(('ERROR', 'WARN', 'INFO'))} "
                       f"{rng.choice(v.STEMS)}: {rng.choice(v.NOUNS)} {rng.choice(('timed out', 'not found', 'retrying', 'rejected'))} "
                       f"after {rng.randint(1, 30)} attempts (id={v.ident_value(rng)})")
    return out


LAYOUTS = (_grep, _grep, _rg, _git_grep, _config_hits)


def generate_one(rng: random.Random) -> str:
    return "\n".join(rng.choice(LAYOUTS)(rng))
