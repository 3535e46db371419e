"""Shell listings: ``ls -la``, ``ps aux``, ``df -h``, ``du -sh``, ``find``, ``docker ps``,
``free -m``; with the prompt and command line sometimes included."""

from __future__ import annotations

import random

from tersify_train.sources.generators import _vocab as v


def _perm(rng: random.Random, is_dir: bool) -> str:
    if is_dir:
        return rng.choice(("drwxr-xr-x", "drwxrwxr-x", "drwx------", "drwxr-sr-x"))
    return rng.choice(("-rw-r--r--", "-rw-rw-r--", "-rwxr-xr-x", "-rw-------", "-r--r--r--", "lrwxrwxrwx"))


def _date(rng: random.Random) -> str:
    return f"{rng.choice(v.MONTHS)} {rng.randint(1, 28):>2} " + (f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}" if rng.random() < 0.7 else f" {rng.randint(2019, 2024)}")


def _ls(rng: random.Random) -> list[str]:
    user = rng.choice(v.USERS)
    group = user if rng.random() < 0.6 else rng.choice(("staff", "users", "docker", "root"))
    names = set()
    while len(names) < rng.randint(3, 18):
        r = rng.random()
        if r < 0.25:
            names.add(rng.choice(v.DIRS) + "/")
        elif r < 0.35:
            names.add("." + rng.choice(("git/", "env", "gitignore", "venv/", "cache/", "dockerignore", "editorconfig")))
        else:
            names.add(f"{rng.choice(v.STEMS)}{rng.choice(('', '_' + rng.choice(v.NOUNS)))}.{rng.choice(('py', 'go', 'md', 'json', 'toml', 'lock', 'log', 'txt', 'sh', 'yaml', 'tar.gz', 'db'))}")
    out = [f"total {rng.randint(8, 2000)}"]
    rows = [(".", True), ("..", True)] + [(n.rstrip("/"), n.endswith("/")) for n in sorted(names)]
    human = rng.random() < 0.4
    for name, is_dir in rows:
        size = 4096 if is_dir else rng.randint(0, 5 * 10**6)
        size_s = (f"{size / 1024:.1f}K" if size > 1024 else str(size)) if human else str(size)
        perm = _perm(rng, is_dir)
        link = f" -> {rng.choice(v.STEMS)}.{rng.choice(('so.1', 'conf', 'py'))}" if perm.startswith("l") else ""
        out.append(f"{perm} {rng.randint(1, 20):>2} {user} {group} {size_s:>8} {_date(rng)} {name}{link}")
    return out


def _ps(rng: random.Random) -> list[str]:
    out = ["USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"]
    cmds = ["/sbin/init", "/usr/lib/systemd/systemd-journald", "/usr/sbin/sshd -D", f"postgres: {rng.choice(v.USERS)} {rng.choice(v.PROJECTS)} 127.0.0.1(5{rng.randint(1000, 9999)}) idle",
            f"python -m {rng.choice(v.PROJECTS)}.worker --concurrency {rng.randint(1, 16)}", f"node /app/{rng.choice(v.PROJECTS)}/server.js",
            f"/usr/local/bin/{rng.choice(v.PROJECTS)} --port {rng.randint(3000, 9999)} --log-level {rng.choice(('info', 'debug', 'warn'))}",
            "redis-server 127.0.0.1:6379", f"gunicorn: worker [{rng.choice(v.PROJECTS)}.wsgi:app]", "containerd", "[kworker/0:1-events]",
            f"java -Xmx{rng.choice((512, 1024, 2048))}m -jar /opt/{rng.choice(v.PROJECTS)}.jar", "nginx: worker process", "bash", "ps aux"]
    pid = rng.randint(1, 100)
    for cmd in rng.sample(cmds, k=rng.randint(4, len(cmds))):
        pid += rng.randint(1, 3000)
        out.append(f"{rng.choice(('root', 'postgres', 'www-data', rng.choice(v.USERS))):<10} {pid:>6} {rng.uniform(0, 99):4.1f} {rng.uniform(0, 40):4.1f} "
                   f"{rng.randint(1000, 9 * 10**6):>7} {rng.randint(100, 4 * 10**6):>6} {rng.choice(('?', 'pts/0', 'pts/1')):<8} "
                   f"{rng.choice(('Ss', 'S', 'Sl', 'R+', 'D', 'Z', 'I<')):<4} {v.clock(rng)[:5]} {rng.randint(0, 300):>3}:{rng.randint(0, 59):02d} {cmd}")
    return out


def _df(rng: random.Random) -> list[str]:
    human = rng.random() < 0.7
    out = [f"Filesystem      {'Size  Used Avail' if human else '1K-blocks     Used Available'} Use% Mounted on"]
    mounts = [("/dev/nvme0n1p2", "/"), ("/dev/nvme0n1p1", "/boot/efi"), ("tmpfs", "/run"), ("tmpfs", "/dev/shm"),
              ("/dev/sdb1", f"/mnt/{rng.choice(v.PROJECTS)}"), ("overlay", "/var/lib/docker/overlay2/" + v.hexstr(rng, 12) + "/merged"),
              ("/dev/mapper/vg0-data", "/data"), ("udev", "/dev")]
    for dev, mnt in rng.sample(mounts, k=rng.randint(3, len(mounts))):
        pct = rng.randint(0, 100)
        if human:
            size = rng.choice((1, 2, 8, 16, 50, 100, 234, 458, 916))
            used = size * pct / 100
            out.append(f"{dev:<15} {str(size) + 'G':>5} {used:>4.1f}G {size - used:>4.1f}G {pct:>3}% {mnt}")
        else:
            size = rng.randint(10**5, 10**9)
            used = size * pct // 100
            out.append(f"{dev:<15} {size:>9} {used:>9} {size - used:>9} {pct:>3}% {mnt}")
    return out


def _du_find(rng: random.Random) -> list[str]:
    if rng.random() < 0.5:
        rows = [f"{rng.randint(1, 999)}{rng.choice(('K', 'M', 'G'))}\t./{rng.choice(v.DIRS + ('node_modules', '.git', 'target', 'dist'))}" for _ in range(rng.randint(3, 12))]
        return [*rows, f"{rng.randint(1, 99)}G\ttotal"] if rng.random() < 0.5 else rows
    root = rng.choice((".", "src", "/var/log", "/etc"))
    out = [f"{root}/{v.module_path(rng, rng.choice(('py', 'log', 'conf', 'json', 'go')))}" for _ in range(rng.randint(3, 15))]
    if rng.random() < 0.3:
        out.append(f"find: '{root}/{rng.choice(v.DIRS)}/private': Permission denied")
    return out


def _docker_ps(rng: random.Random) -> list[str]:
    out = ["CONTAINER ID   IMAGE                     COMMAND                  CREATED        STATUS                     PORTS                    NAMES"]
    for _ in range(rng.randint(1, 6)):
        img = f"{rng.choice(('postgres', 'redis', 'nginx', 'example/' + rng.choice(v.PROJECTS)))}:{rng.choice(('latest', '16', '7.2', v.version(rng)))}"
        status = rng.choice((f"Up {rng.randint(2, 59)} minutes", f"Up {rng.randint(1, 9)} days (healthy)", f"Exited ({rng.choice((0, 1, 137, 139))}) {rng.randint(1, 59)} seconds ago",
                             "Restarting (1) 5 seconds ago", "Up 3 hours (unhealthy)"))
        port = rng.choice(("", f"0.0.0.0:{rng.randint(3000, 9999)}->{rng.randint(80, 9999)}/tcp", f"127.0.0.1:{rng.randint(5000, 6500)}->{rng.randint(5000, 6500)}/tcp"))
        out.append(f"{v.hexstr(rng, 12)}   {img:<25} \"{rng.choice(('docker-entrypoint.s…', '/bin/sh -c', 'nginx -g daemon of…'))}\"   "
                   f"{rng.randint(2, 50)} hours ago   {status:<26} {port:<24} {rng.choice(v.PROJECTS)}-{rng.choice(v.STEMS)}-{rng.randint(1, 3)}")
    return out


def _free(rng: random.Random) -> list[str]:
    total = rng.choice((2048, 7950, 15884, 31897, 64215))
    used = rng.randint(total // 10, total)
    free = total - used
    return ["               total        used        free      shared  buff/cache   available",
            f"Mem:      {total:>10} {used:>11} {free:>11} {rng.randint(0, 900):>11} {rng.randint(0, free):>11} {rng.randint(0, free):>11}",
            f"Swap:     {rng.choice((0, 2047, 4095)):>10} {rng.randint(0, 2047):>11} {rng.randint(0, 2047):>11}"]


LAYOUTS = (_ls, _ls, _ps, _df, _du_find, _docker_ps, _free)
_COMMANDS = {_ls: ("ls -la", "ls -lah", "ls -la src"), _ps: ("ps aux", "ps aux --sort=-%mem"), _df: ("df -h", "df"),
             _du_find: ("du -sh *", "find . -name '*.py'"), _docker_ps: ("docker ps -a",), _free: ("free -m",)}


def generate_one(rng: random.Random) -> str:
    layout = rng.choice(LAYOUTS)
    out = layout(rng)
    if rng.random() < 0.3:
        out.insert(0, f"$ {rng.choice(_COMMANDS[layout])}")
    return "\n".join(out)
