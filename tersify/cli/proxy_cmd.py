"""``tersify proxy``: run the compressing proxy; ``tersify logs export|stats``: its pair log."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tersify.cli.args import non_negative_int, positive_float, positive_int, unit_interval
from tersify.cli.extra import needs_train
from tersify.errors import TersifyError


def register(sub: argparse._SubParsersAction) -> None:
    from tersify.cli.retrieve_cmd import budget_tokens, mebibytes
    from tersify.proxy.config import ProxyConfig
    from tersify.proxy.store import default_db_path

    defaults = ProxyConfig(db=Path("unused"))
    p = sub.add_parser(
        "proxy",
        help="run an Anthropic/OpenAI-compatible proxy that compresses tool results",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Sit between an agent and the Anthropic or OpenAI API and compress tool results "
        "(Anthropic tool_result blocks, OpenAI tool messages and function_call_output items) on their way "
        "upstream. Everything else is forwarded unchanged, streams pass through as they arrive, and any "
        "failure forwards the original request. Every compression is logged in a SQLite pair log "
        "(originals retrievable at GET /v1/retrieve/HASH, export with `tersify logs export`).\n\n"
        "  ANTHROPIC_BASE_URL=http://127.0.0.1:8787 claude\n"
        "  OPENAI_BASE_URL=http://127.0.0.1:8787/v1 your-openai-client\n\n"
        "GET /stats shows counters and GET /v1/retrieve/HASH an original, both with the admin token printed "
        "at start-up (Authorization: Bearer TOKEN); GET /healthz answers ok.\n\n"
        "Security defaults: loopback only; requests whose Host header is not this address get 421; "
        "the pair log is 0600 in a 0700 directory; a request goes only to the provider its credentials "
        "belong to (400 when they contradict its path or name none). Per request, the header "
        "x-tersify-bypass: 1 forwards it unchanged.",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; anything else exposes your API keys' use)")
    p.add_argument("--port", type=non_negative_int("port"), default=8787, help="port (default 8787)")
    p.add_argument("--anthropic-upstream", default=defaults.anthropic_upstream,
                   help=f"Anthropic API base URL (default {defaults.anthropic_upstream})")
    p.add_argument("--openai-upstream", default=defaults.openai_upstream,
                   help=f"OpenAI API base URL, with or without /v1 (default {defaults.openai_upstream})")
    p.add_argument("--db", type=Path, default=None,
                   help=f"pair log (SQLite) path (default $TERSIFY_DB or {default_db_path()})")
    p.add_argument("--min-tokens", type=non_negative_int("min-tokens"), default=defaults.min_tokens,
                   help=f"compress only tool results of at least this many tokens, ~4 characters each "
                   f"(default {defaults.min_tokens})")
    p.add_argument("--rate", type=unit_interval("rate", allow_zero=False), default=None,
                   help="target share of words kept, 0-1 (default: keep the words the scorer scores above 0.5)")
    p.add_argument("--deadline", type=positive_float("deadline"), default=defaults.deadline_s,
                   help="seconds a request may wait for compression; a tool result not compressed by then "
                   "goes upstream unchanged, on this turn and every later one (default "
                   f"{defaults.deadline_s})")
    p.add_argument("--max-body-mb", type=positive_float("max-body-mb"),
                   default=defaults.max_body_bytes / 2**20,
                   help=f"refuse request bodies above this size with 413 (default {defaults.max_body_bytes >> 20})")
    p.add_argument("--max-compress-mb", type=positive_float("max-compress-mb"),
                   default=defaults.max_compress_chars / 2**20,
                   help="tool results longer than this many million characters go upstream unchanged, at once "
                   f"(default {defaults.max_compress_chars / 2**20:g}); bounds the memory of a compression")
    p.add_argument("--compress-threads", type=non_negative_int("compress-threads"),
                   default=defaults.compress_threads,
                   help=f"tool results compressed at once (default {defaults.compress_threads})")
    p.add_argument("--budget", type=budget_tokens, default=None, metavar="N",
                   help="fit each tool result into N o200k tokens (default: off): where compression does not get "
                   "there, whole lines and blocks are left out by value, each range replaced by a marker naming "
                   "the command that prints it back (`tersify retrieve ID --lines A-B`). The originals are "
                   "stored in the pair log's originals table, capped at --originals-max-mb (least recently used "
                   "first out, never expired by age, not pruned by --log-days). With --no-log or --redact they "
                   "are not stored at all, and the markers say the lines cannot be retrieved")
    p.add_argument("--originals-max-mb", type=mebibytes, default=None, dest="originals_max_bytes", metavar="MIB",
                   help="size cap of the stored originals (default $TERSIFY_ORIGINALS_MAX_MB, else 1024)")
    p.add_argument("--no-log", action="store_true",
                   help="write nothing to disk: the pair log (and the cache it gives) lives in memory only")
    p.add_argument("--log-days", type=positive_float("log-days"), default=None,
                   help="delete logged pairs older than this many days, at start-up and hourly (default: keep)")
    p.add_argument("--redact", action="store_true",
                   help="replace secret-looking spans by [REDACTED] in the logged copy (what goes upstream is "
                   "unchanged): API keys (sk-..., sk-ant-..., AKIA..., ghp_..., github_pat_..., xox..-, AIza...), "
                   "JWTs, Bearer/Basic credentials, values of password=/secret=/token:/api_key: style keys, "
                   "URL passwords (user:PASSWORD@host) and PEM private key blocks. Hashes, UUIDs and paths stay")
    p.add_argument("--admin-token", default=os.environ.get("TERSIFY_ADMIN_TOKEN"),
                   help="token for /stats and /v1/retrieve (default $TERSIFY_ADMIN_TOKEN, else a random one "
                   "printed at start-up)")
    p.add_argument("--no-admin", action="store_true", help="turn /stats and /v1/retrieve off (404)")
    p.add_argument("--exclude-tool", action="append", default=[], metavar="NAME",
                   help="never compress results of this tool (repeatable), e.g. --exclude-tool Read")
    p.add_argument("--shutdown-grace", type=positive_float("shutdown-grace"), default=defaults.shutdown_grace_s,
                   help="seconds streams in flight may take to finish after Ctrl-C/SIGTERM "
                   f"(default {defaults.shutdown_grace_s:g})")
    p.set_defaults(func=run_proxy)

    logs = sub.add_parser("logs", help="export or summarise the proxy's pair log",
                          description="Work with the pair log the proxy writes (see `tersify proxy --help`).")
    logs_sub = logs.add_subparsers(dest="logs_command", metavar="ACTION")
    export = logs_sub.add_parser(
        "export",
        help="write the logged pairs as JSONL pair records",
        description="Write one pair record per distinct original tool result (its latest compression): "
        "text = original, reference = compressed, domain = 'proxy' (or the tool name with --domain tool), "
        "source = 'proxy:<provider>'. The file feeds `tersify train` as self-distillation data.",
    )
    export.add_argument("--db", type=Path, default=None, help="pair log path (default as for `tersify proxy`)")
    export.add_argument("--out", required=True, help="output JSONL path, or - for standard output; with --format "
                        "parquet, a folder of Parquet shards")
    export.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl",
                        help="jsonl (default) or parquet: shards part-NNNNN.parquet of --shard-records records each "
                        "(needs the scale extra's pyarrow), to merge many proxies' logs and feed the batch steps")
    export.add_argument("--shard-records", type=positive_int("--shard-records"), default=100_000,
                        help="records per Parquet shard (default 100000)")
    export.add_argument("--domain", choices=["proxy", "tool"], default="proxy",
                        help="the records' domain: 'proxy' (default) or the tool's name")
    export.set_defaults(func=run_export)
    stats = logs_sub.add_parser("stats", help="summarise the pair log",
                                description="Pairs, o200k_base tokens before/after, compression time, per provider, "
                                "tool, model and scorer.")
    stats.add_argument("--db", type=Path, default=None, help="pair log path (default as for `tersify proxy`)")
    stats.add_argument("--json", action="store_true", help="print the summary as JSON")
    stats.set_defaults(func=run_stats)
    logs.set_defaults(func=lambda args: (logs.print_help(), 2)[1])


def _db(path: Path | None) -> Path:
    from tersify.proxy.store import default_db_path

    return path if path is not None else default_db_path()


def run_proxy(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tersify.proxy import ProxyConfig, create_app
    from tersify.proxy.config import LOOPBACK_HOSTS
    from tersify.proxy.server import serve

    for name in ("anthropic_upstream", "openai_upstream"):
        url = getattr(args, name)
        if not url.startswith(("http://", "https://")):
            raise TersifyError(f"--{name.replace('_', '-')} must be an http(s) URL, got {url!r}")
    config = ProxyConfig(
        anthropic_upstream=args.anthropic_upstream,
        openai_upstream=args.openai_upstream,
        db=_db(args.db),
        min_tokens=args.min_tokens,
        rate=args.rate,
        budget=args.budget,
        originals_max_bytes=args.originals_max_bytes,
        deadline_s=args.deadline,
        max_body_bytes=int(args.max_body_mb * 2**20),
        compress_threads=max(1, args.compress_threads),
        max_compress_chars=int(args.max_compress_mb * 2**20),
        host=args.host,
        log=not args.no_log,
        log_days=args.log_days,
        redact=args.redact,
        admin=not args.no_admin,
        admin_token=args.admin_token or None,
        exclude_tools=frozenset(args.exclude_tool),
        shutdown_grace_s=args.shutdown_grace,
    )
    console = Console(stderr=True)
    if args.host not in LOOPBACK_HOSTS:
        console.print(
            f"[bold red]WARNING: listening on {args.host}, not loopback. Anyone who can reach this address "
            "can send requests through it (with the API keys they carry). Bind 127.0.0.1 unless that is "
            "what you want.[/]"
        )
    app = create_app(config)
    proxy = app.state.proxy
    for warning in proxy.store.warnings:
        console.print(f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    base = f"http://{'[' + args.host + ']' if ':' in args.host else args.host}:{args.port}"
    where = "in memory only (--no-log)" if not config.log else str(config.db)
    console.print(
        f"tersify proxy on {base} (pair log {where}, scorer {proxy.compressor.options})\n"
        f"  ANTHROPIC_BASE_URL={base} claude\n"
        f"  OPENAI_BASE_URL={base}/v1",
        highlight=False, soft_wrap=True,
    )
    if proxy.admin_token is None:
        console.print("  /stats and /v1/retrieve are off (--no-admin)   Ctrl-C to stop", highlight=False,
                      soft_wrap=True)
    else:
        # A generated token is printed once, here only (it keeps other local users and web pages
        # out); one the user chose is not echoed into terminal logs.
        chosen = config.admin_token is not None
        token = "$TERSIFY_ADMIN_TOKEN" if chosen else proxy.admin_token
        console.print(
            f"  admin token: {'the one given (--admin-token / $TERSIFY_ADMIN_TOKEN)' if chosen else token}\n"
            f"  curl -s -H \"Authorization: Bearer {token}\" {base}/stats\n"
            "  Ctrl-C to stop",
            highlight=False, markup=False, soft_wrap=True,
        )
    serve(app, args.host, args.port, shutdown_grace_s=config.shutdown_grace_s)
    return 0


@needs_train()
def run_export(args: argparse.Namespace) -> int:
    from tersify_train.sources.pairs import write_pairs
    from tersify_train.sources.proxy_logs import export_pairs

    records, elided = export_pairs(_db(args.db), domain=args.domain)
    if elided:
        print(f"tersify: left out {elided} pairs whose output has budget markers (lines left out are not "
              "word-level labels)", file=sys.stderr)
    if args.format == "parquet":
        return _export_parquet(args, records)
    if args.out == "-":
        for record in records:
            sys.stdout.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        return 0
    try:
        n = write_pairs(args.out, records)
        os.chmod(args.out, 0o600)  # raw tool outputs: as private as the pair log they come from
    except OSError as exc:
        raise TersifyError(f"{args.out}: cannot write ({exc.strerror or exc})") from exc
    print(f"tersify: wrote {n} pair records to {args.out}", file=sys.stderr)
    return 0


def _export_parquet(args: argparse.Namespace, records: list) -> int:
    import importlib.util

    from tersify_train.scale.shards import write_block

    if args.out == "-":
        raise TersifyError("--format parquet writes a folder of shards: give --out DIR")
    if importlib.util.find_spec("pyarrow") is None:
        raise TersifyError("--format parquet needs pyarrow: pip install 'tersify[scale]'")
    out = Path(args.out)
    step = args.shard_records
    chunks = [records[i:i + step] for i in range(0, len(records), step)] or [[]]
    try:
        written = {write_block(out, index, [r.to_dict() for r in chunk], "parquet") for index, chunk in enumerate(chunks)}
        for stale in set(out.glob("part-*.parquet")) - written:  # an earlier, longer export's: they would duplicate
            stale.unlink()
        os.chmod(out, 0o700)  # raw tool outputs: as private as the pair log they come from
        for shard in written:
            os.chmod(shard, 0o600)
    except OSError as exc:
        raise TersifyError(f"{args.out}: cannot write ({exc.strerror or exc})") from exc
    print(f"tersify: wrote {len(records)} pair records to {len(chunks)} Parquet shards in {out}", file=sys.stderr)
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from tersify.proxy.store import PairStore

    with PairStore(_db(args.db), create=False) as store:
        summary = store.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"pair log    {summary['db']}")
    requests = summary["requests"]
    if requests["count"]:
        print(f"requests    {requests['count']} with tool results: {requests['tokens_before']} -> "
              f"{requests['tokens_after']} o200k tokens (saved {requests['token_saving']:.1%} of whole requests)")
        print(f"            their {requests['tool_results']} tool results: {requests['tool_tokens_before']} -> "
              f"{requests['tool_tokens_after']} o200k tokens (saved {requests['tool_token_saving']:.1%}), "
              "each counted on every turn it was sent")
    print(f"pairs       {summary['pairs']} distinct tool results compressed")
    if summary["pairs"]:
        print(f"tokens      {summary['tokens_in']} -> {summary['tokens_out']} o200k tokens "
              f"(saved {summary['token_saving']:.1%}, each distinct result once)")
        print(f"words kept  {summary['keep_rate_words']:.1%}")
        print(f"compress    p50 {summary['latency_ms_p50']:.1f} ms, p99 {summary['latency_ms_p99']:.1f} ms")
        for group in ("provider", "tool", "model", "scorer"):
            parts = ", ".join(f"{name} {v['pairs']}" for name, v in summary[group].items())
            print(f"{group:<11} {parts}")
    return 0
