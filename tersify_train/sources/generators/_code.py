"""Source-code lines in several languages, shared by the diff, traceback and search
generators (diff hunks, traceback source lines and grep hits are all code)."""

from __future__ import annotations

import random

from tersify_train.sources.generators import _vocab as v

LANGUAGES = ("python", "javascript", "go", "rust", "java")


def _msg(rng: random.Random) -> str:
    return rng.choice((
        f"{rng.choice(v.NOUNS)} not found", f"invalid {rng.choice(v.NOUNS)}", f"failed to {rng.choice(v.VERBS)} {rng.choice(v.NOUNS)}",
        f"{rng.choice(v.NOUNS)} expired", f"missing {rng.choice(v.NOUNS)} id", f"cannot {rng.choice(v.VERBS)} {rng.choice(v.ADJS)} {rng.choice(v.NOUNS)}",
        f"unexpected {rng.choice(v.NOUNS)} size", f"{rng.choice(v.NOUNS)} limit exceeded",
    ))


def _var(rng: random.Random) -> str:
    return rng.choice(v.NOUNS) if rng.random() < 0.6 else f"{rng.choice(v.ADJS)}_{rng.choice(v.NOUNS)}"


def _camel_var(rng: random.Random) -> str:
    return rng.choice(v.NOUNS) if rng.random() < 0.5 else rng.choice(v.ADJS) + rng.choice(v.NOUNS).capitalize()


def python_line(rng: random.Random) -> str:
    a, b, f = _var(rng), _var(rng), v.snake(rng)
    mode = rng.choice(('"r"', '"rb"', '"w"'))
    return rng.choice((
        f"{a} = {f}({b})",
        f"{a} = {f}({b}, timeout={rng.randint(1, 120)})",
        f"if {a} is None:",
        f"if not {a}:",
        f"return {f}({a}, {b}={rng.choice(('True', 'False', 'None', str(rng.randint(0, 500))))})",
        f'raise {rng.choice(v.PY_ERRORS[:10])}(f"{_msg(rng)}: {{{a}!r}}")',
        f"for {a[:1]} in {b}:",
        f'logger.{rng.choice(("info", "warning", "debug", "error"))}("{_msg(rng)} %s", {a})',
        f"self.{a} = {b}",
        f"{a}.{rng.choice(('append', 'update', 'extend', 'pop', 'get'))}({b})",
        f"{a.upper()}_{rng.choice(('LIMIT', 'TIMEOUT', 'RETRIES', 'SIZE'))} = {rng.randint(1, 10000)}",
        f"assert {a} == {rng.randint(0, 100)}",
        f"with open({a}_path, {mode}) as fh:",
        "return json.load(fh)",
        f"{a} = {b}.get({rng.choice(v.NOUNS)!r}, {rng.randint(0, 99)})",
        f"def {f}(self, {a}: {rng.choice(('str', 'int', 'dict', 'list[str]', 'bytes'))}) -> {rng.choice(('None', 'bool', 'dict', 'int'))}:",
        f"except {rng.choice(v.PY_ERRORS[:10])} as exc:",
        f"total += {a}.{rng.choice(('price', 'amount', 'count', 'size'))} * {rng.choice(('qty', 'rate', '0.01', 'factor'))}",
        f"await {f}({a})",
    ))


def javascript_line(rng: random.Random) -> str:
    a, b, f = _camel_var(rng), _camel_var(rng), v.camel(rng)
    return rng.choice((
        f"const {a} = await {f}({b});",
        f"let {a} = {b}?.{rng.choice(v.NOUNS)} ?? {rng.randint(0, 100)};",
        f"if (!{a}) {{",
        f"return res.status({rng.choice((400, 401, 404, 409, 500))}).json({{ error: '{_msg(rng)}' }});",
        f"throw new {rng.choice(v.JS_ERRORS[:6])}(`{_msg(rng)}: ${{{a}}}`);",
        "} catch (err) {",
        f"console.{rng.choice(('log', 'warn', 'error'))}('{_msg(rng)}', {a});",
        f"export async function {f}({a}, {b} = {{}}) {{",
        f"{a}.{rng.choice(('push', 'set', 'delete', 'forEach'))}({b});",
        f"const {{ {a}, {b} }} = req.body;",
        f"expect({a}).toBe({rng.randint(0, 99)});",
        "});",
        f"module.exports = {{ {f} }};",
    ))


def go_line(rng: random.Random) -> str:
    a, b, f = _camel_var(rng), _camel_var(rng), v.camel(rng, upper=True)
    return rng.choice((
        f"{a}, err := {f}(ctx, {b})",
        "if err != nil {",
        f'return nil, fmt.Errorf("{_msg(rng)}: %w", err)',
        f"func (s *{v.class_name(rng)}) {f}(ctx context.Context, {a} string) error {{",
        f"defer {a}.Close()",
        f'log.Printf("{_msg(rng)}: %v", {a})',
        f"for _, {a[:1]} := range {b} {{",
        f"{a} := make(map[string]int, {rng.randint(1, 256)})",
        f'if {a} == "" {{',
        "return err",
        f"t.Fatalf(\"{f}() = %v, want %v\", got, want)",
    ))


def rust_line(rng: random.Random) -> str:
    a, b, f = _var(rng), _var(rng), v.snake(rng)
    return rng.choice((
        f"let {a} = {f}(&{b})?;",
        f"let mut {a} = Vec::with_capacity({rng.randint(1, 1024)});",
        f"match {a} {{",
        "Err(e) => return Err(e.into()),",
        "Ok(v) => v,",
        f"pub fn {f}(&self, {a}: &str) -> Result<{v.class_name(rng)}, Error> {{",
        f'.expect("{_msg(rng)}");',
        f"impl {v.class_name(rng)} {{",
        f"assert_eq!({a}.len(), {rng.randint(0, 64)});",
        f"{a}.insert({b}.clone());",
    ))


def java_line(rng: random.Random) -> str:
    a, b, f = _camel_var(rng), _camel_var(rng), v.camel(rng)
    return rng.choice((
        f"{v.class_name(rng)} {a} = {b}.{f}();",
        f"if ({a} == null) {{",
        f'throw new {rng.choice(v.JAVA_ERRORS[:6]).rsplit(".", 1)[-1]}("{_msg(rng)}");',
        f"public {rng.choice(('void', 'int', 'String', 'boolean'))} {f}({v.class_name(rng)} {a}) {{",
        f"return {a}.get({rng.randint(0, 9)});",
        f'LOG.warn("{_msg(rng)} {{}}", {a});',
        f"for (int i = 0; i < {a}.size(); i++) {{",
        f"assertEquals({rng.randint(0, 99)}, {a}.size());",
    ))


_BY_LANG = {"python": python_line, "javascript": javascript_line, "go": go_line, "rust": rust_line,
            "java": java_line}


def code_line(rng: random.Random, language: str) -> str:
    return _BY_LANG[language](rng)


def indent(rng: random.Random, language: str) -> str:
    unit = "\t" if language == "go" else ("  " if language == "javascript" else "    ")
    return unit * rng.randint(0, 3)
