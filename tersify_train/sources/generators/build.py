"""Build and error logs: make + gcc/clang, cargo, npm/tsc, maven, go build, docker build."""

from __future__ import annotations

import random

from tersify_train.sources.generators import _vocab as v


def _c_diag(rng: random.Random, path: str) -> list[str]:
    line, col = rng.randint(1, 900), rng.randint(1, 60)
    sym, f = rng.choice(v.NOUNS), v.snake(rng)
    kind, msg = rng.choice((
        ("error", f"'{sym}' undeclared (first use in this function)"),
        ("error", f"implicit declaration of function '{f}' [-Werror=implicit-function-declaration]"),
        ("warning", f"unused variable '{sym}' [-Wunused-variable]"),
        ("error", f"expected ';' before '{rng.choice(('}', 'return', 'if'))}' token"),
        ("warning", "comparison of integer expressions of different signedness: 'int' and 'size_t' [-Wsign-compare]"),
        ("error", f"conflicting types for '{f}'"),
        ("error", f"too few arguments to function '{f}'"),
        ("warning", f"'{sym}' may be used uninitialized [-Wmaybe-uninitialized]"),
        ("error", f"{rng.choice(v.STEMS)}.h: No such file or directory"),
    ))
    out = [f"{path}: In function '{f}':"] if rng.random() < 0.5 else []
    out.append(f"{path}:{line}:{col}: {kind}: {msg}")
    if rng.random() < 0.6:
        src = f"    {rng.choice(('int', 'size_t', 'char *', 'struct ' + sym + ' *'))} {sym} = {f}({rng.choice(v.NOUNS)}, {rng.randint(0, 64)});"
        out += [f" {line:>4} | {src}", f"      | {' ' * col}^{'~' * rng.randint(0, 8)}"]
    return out


def _make(rng: random.Random) -> list[str]:
    out = []
    proj = rng.choice(v.PROJECTS)
    cc = rng.choice(("gcc", "cc", "clang"))
    flags = " ".join(rng.sample(["-O2", "-O0", "-g", "-Wall", "-Wextra", "-Werror", "-std=c11", "-fPIC",
                                 "-DNDEBUG", "-Iinclude", "-pthread"], k=rng.randint(2, 5)))
    srcs = [f"src/{rng.choice(v.STEMS)}.c" for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.5:
        out.append(f"make[1]: Entering directory '/home/ci/build/{proj}'")
    for s in srcs:
        out.append(f"{cc} {flags} -c {s} -o {s[:-2]}.o")
    bad = rng.choice(srcs)
    for _ in range(rng.randint(1, 3)):
        out += _c_diag(rng, bad)
    if rng.random() < 0.3:
        out.append(f"/usr/bin/ld: {bad[:-2]}.o: in function `main':")
        out.append(f"{bad}:{rng.randint(1, 300)}: undefined reference to `{v.snake(rng)}'")
        out.append("collect2: error: ld returned 1 exit status")
    out.append(f"make[1]: *** [Makefile:{rng.randint(10, 120)}: {bad[:-2]}.o] Error 1")
    if rng.random() < 0.5:
        out.append(f"make[1]: Leaving directory '/home/ci/build/{proj}'")
    out.append(f"make: *** [Makefile:{rng.randint(5, 40)}: {rng.choice(('all', 'build', proj))}] Error 2")
    return out


def _cargo(rng: random.Random) -> list[str]:
    crate = f"{rng.choice(v.PROJECTS)}-{rng.choice(v.STEMS)}"
    out = [f"   Compiling {d} v{v.version(rng)}" for d in rng.sample(("serde", "tokio", "anyhow", "regex", "libc",
                                                                        "bytes", "clap", "hyper", "rand"), k=rng.randint(1, 4))]
    out.append(f"   Compiling {crate} v{v.version(rng)} (/home/dev/{crate})")
    for _ in range(rng.randint(1, 3)):
        path, line, col = v.module_path(rng, "rs"), rng.randint(1, 500), rng.randint(1, 40)
        code, msg = rng.choice((
            ("E0308", "mismatched types"), ("E0425", f"cannot find value `{rng.choice(v.NOUNS)}` in this scope"),
            ("E0599", f"no method named `{v.snake(rng)}` found for struct `{v.class_name(rng)}` in the current scope"),
            ("E0382", f"borrow of moved value: `{rng.choice(v.NOUNS)}`"), ("E0433", f"failed to resolve: use of undeclared crate or module `{rng.choice(v.STEMS)}`"),
            ("E0277", f"the trait bound `{v.class_name(rng)}: Clone` is not satisfied"),
        ))
        out += [f"error[{code}]: {msg}", f"  --> {path}:{line}:{col}", "   |",
                f"{line:<3}|     let {rng.choice(v.NOUNS)} = {v.snake(rng)}(&{rng.choice(v.NOUNS)});",
                f"   |     {' ' * col}^^^^ {rng.choice(('expected `u32`, found `usize`', 'not found in this scope', 'value used here after move'))}", ""]
    n = len([x for x in out if x.startswith("error[")])
    if rng.random() < 0.4:
        out.append(f"warning: `{crate}` (lib) generated {rng.randint(1, 9)} warnings")
    out.append(f"error: could not compile `{crate}` (lib) due to {n} previous error{'s' * (n > 1)}")
    return out


def _tsc(rng: random.Random) -> list[str]:
    out = [f"> {rng.choice(v.PROJECTS)}@{v.version(rng)} build", "> tsc -p tsconfig.json", ""]
    n = rng.randint(1, 4)
    for _ in range(n):
        path = v.module_path(rng, rng.choice(("ts", "tsx")))
        code, msg = rng.choice((
            ("TS2339", f"Property '{rng.choice(v.NOUNS)}' does not exist on type '{v.class_name(rng)}'."),
            ("TS2345", "Argument of type 'string' is not assignable to parameter of type 'number'."),
            ("TS2304", f"Cannot find name '{v.camel(rng)}'."), ("TS7006", f"Parameter '{rng.choice(v.NOUNS)}' implicitly has an 'any' type."),
            ("TS2532", "Object is possibly 'undefined'."), ("TS2307", f"Cannot find module './{rng.choice(v.STEMS)}' or its corresponding type declarations."),
        ))
        out.append(f"{path}({rng.randint(1, 400)},{rng.randint(1, 50)}): error {code}: {msg}")
    out += ["", f"Found {n} error{'s' * (n > 1)} in {rng.randint(1, n)} file{'s' * (n > 1)}.", "",
            f"npm ERR! code {rng.choice(('ELIFECYCLE', '2'))}", f"npm ERR! errno {rng.choice((1, 2))}",
            f"npm ERR! {rng.choice(v.PROJECTS)}@{v.version(rng)} build: `tsc -p tsconfig.json`",
            "npm ERR! Exit status 2"]
    return out


def _maven(rng: random.Random) -> list[str]:
    grp = f"com.example.{rng.choice(v.PROJECTS)}"
    cls = v.class_name(rng)
    path = f"src/main/java/{grp.replace('.', '/')}/{cls}.java"
    out = ["[INFO] Scanning for projects...", "[INFO] ", f"[INFO] {'-' * 20}< {grp}:{rng.choice(v.STEMS)} >{'-' * 20}",
           f"[INFO] Building {rng.choice(v.PROJECTS)} {v.version(rng)}-SNAPSHOT", "[INFO] --------------------------------[ jar ]---------------------------------",
           f"[INFO] --- maven-compiler-plugin:3.{rng.randint(8, 13)}.0:compile (default-compile) @ {rng.choice(v.STEMS)} ---",
           f"[INFO] Compiling {rng.randint(5, 300)} source files to /home/ci/build/target/classes"]
    for _ in range(rng.randint(1, 3)):
        out.append(f"[ERROR] {path}:[{rng.randint(1, 400)},{rng.randint(1, 60)}] "
                   + rng.choice(("cannot find symbol", "incompatible types: String cannot be converted to int",
                                 f"method {v.camel(rng)} in class {cls} cannot be applied to given types;",
                                 "';' expected", "unreported exception java.io.IOException; must be caught or declared to be thrown")))
        if rng.random() < 0.5:
            out.append(f"  symbol:   variable {rng.choice(v.NOUNS)}")
            out.append(f"  location: class {grp}.{cls}")
    out += ["[INFO] BUILD FAILURE", f"[INFO] Total time:  {rng.uniform(1, 90):.3f} s",
            f"[INFO] Finished at: {v.iso_time(rng, False)}",
            f"[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.11.0:compile (default-compile) on project {rng.choice(v.STEMS)}: Compilation failure"]
    return out


def _go(rng: random.Random) -> list[str]:
    mod = f"github.com/example/{rng.choice(v.PROJECTS)}"
    pkg = f"{mod}/{rng.choice(v.DIRS)}"
    out = [f"# {pkg}"]
    for _ in range(rng.randint(1, 4)):
        path = f"./{rng.choice(v.DIRS)}/{rng.choice(v.STEMS)}.go"
        out.append(f"{path}:{rng.randint(1, 500)}:{rng.randint(1, 40)}: " + rng.choice((
            f"undefined: {v.camel(rng, True)}", f"\"{rng.choice(('fmt', 'os', 'strings', 'time', 'errors'))}\" imported and not used",
            f"declared and not used: {rng.choice(v.NOUNS)}", f"cannot use {rng.choice(v.NOUNS)} (variable of type int) as string value in argument to {v.camel(rng, True)}",
            f"too many arguments in call to {v.camel(rng)}", "missing return")))
    return out


def _docker(rng: random.Random) -> list[str]:
    total = rng.randint(6, 12)
    out = ["#0 building with \"default\" instance using docker driver", "",
           "#1 [internal] load build definition from Dockerfile", f"#1 transferring dockerfile: {rng.randint(300, 3000)}B done",
           "#1 DONE 0.0s", ""]
    fail = rng.randint(3, total)
    for i in range(2, fail + 1):
        step = rng.choice(("RUN pip install --no-cache-dir -r requirements.txt", "COPY . /app", f"RUN apt-get update && apt-get install -y {rng.choice(('libpq-dev', 'build-essential', 'curl'))}",
                           "WORKDIR /app", "RUN npm ci --omit=dev", f"RUN go build -o /bin/{rng.choice(v.PROJECTS)} ./cmd/{rng.choice(v.PROJECTS)}"))
        out.append(f"#{i} [{i - 1}/{total}] {step}")
        if i < fail:
            out.append(f"#{i} {rng.choice(('DONE', 'CACHED'))} {rng.uniform(0, 40):.1f}s" if rng.random() < 0.7 else f"#{i} CACHED")
        else:
            out += [f"#{i} {rng.uniform(0.5, 20):.3f} ERROR: No matching distribution found for {rng.choice(v.PROJECTS)}-{rng.choice(v.STEMS)}=={v.version(rng)}",
                    f"#{i} ERROR: process \"/bin/sh -c {step[4:]}\" did not complete successfully: exit code: {rng.choice((1, 2, 100, 127))}"]
    out.append(f"ERROR: failed to solve: process did not complete successfully: exit code: {rng.choice((1, 2, 127))}")
    return out


LAYOUTS = (_make, _cargo, _tsc, _maven, _go, _docker)


def generate_one(rng: random.Random) -> str:
    return "\n".join(rng.choice(LAYOUTS)(rng))
