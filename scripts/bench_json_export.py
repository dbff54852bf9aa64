"""Peak memory and MB/s of reading + cleaning a large Telegram Desktop JSON export.

Writes a synthetic single-chat `result.json` of at least --mb megabytes (the bundled
sample's posts as messages with entity lists, reactions, forwards, service and media-only
messages, and a few `\\xNN` control-character escapes), then reads and cleans it in a fresh
process and prints the table:

    python scripts/bench_json_export.py --mb 1024
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def messages_of_sample() -> list[dict]:
    from builder.readers.telegram_text import read

    out = []
    for raw in read(ROOT / "builder/data/telegram_channel_sample.txt", 0, 10**6):
        entities = []
        for i, line in enumerate(raw.lines):
            if i:
                entities.append({"type": "plain", "text": "\n"})
            for j, word in enumerate(line.split(" ")):
                if j:
                    entities.append({"type": "plain", "text": " "})
                kind = "hashtag" if word.startswith("#") else "link" if word.startswith("http") else "plain"
                entities.append({"type": kind, "text": word})
        out.append({"type": "message", "from": "Bench Channel", "forwarded_from": raw.channel,
                    "text_entities": entities,
                    "reactions": [{"type": "emoji", "count": 3, "emoji": "👍"}]})
    return out


def write_export(path: Path, mb: float) -> None:
    target = int(mb * 1024 * 1024)
    base = messages_of_sample()
    with path.open("w", encoding="utf-8") as f:
        f.write('{\n "name": "Bench Channel",\n "type": "public_channel",\n "id": 42,\n "messages": [\n')
        written, n = 0, 0
        first = True
        while written < target:
            for msg in base:
                n += 1
                m = dict(msg, id=n, date_unixtime=str(1700000000 + n), date="2023-11-14T22:13:20")
                body = json.dumps(m, ensure_ascii=False, indent=1)
                if n % 97 == 0:
                    body = body.replace('"plain", "text": " "', '"plain", "text": "\\x0b"', 1)
                chunk = ("" if first else ",\n") + body
                first = False
                f.write(chunk)
                written += len(chunk.encode("utf-8"))
            n += 1
            f.write(f',\n{{"id": {n}, "type": "service", "action": "pin_message", "text": ""}}')
            n += 1
            f.write(f',\n{{"id": {n}, "type": "message", "photo": "(File not included.)", "text": ""}}')
        f.write("\n ]\n}\n")


def measure(path: Path) -> dict:
    from collections import Counter

    from builder.config import InputConfig
    from builder.readers import plan_inputs, read_inputs
    from builder.text.clean import Cleaner

    config = InputConfig(paths=[str(path)])
    stats: Counter = Counter()
    cleaner = Cleaner()
    t0 = time.perf_counter()
    posts = chars = 0
    for raw in read_inputs(plan_inputs(config), config, stats):
        post = cleaner.clean(raw)
        posts += 1
        chars += len(post.text)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "posts": posts, "chars": chars, "skipped": dict(stats),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=1024)
    ap.add_argument("--workdir", default=".bench")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return
    work = Path(args.workdir)
    work.mkdir(exist_ok=True)
    path = work / f"result-{args.mb:g}mb.json"
    if not path.exists():
        write_export(path, args.mb)
    size = path.stat().st_size / 1024 / 1024
    proc = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True,
                          text=True, check=True, env=dict(os.environ))
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    print("| export | posts | seconds | MB/s | peak RSS MB |\n| --- | --- | --- | --- | --- |")
    print(f"| {size:.0f} MB Desktop JSON, read + clean | {r['posts']} | {r['seconds']:.1f} | "
          f"{size / r['seconds']:.1f} | {r['peak_mb']:.0f} |")
    print(f"skipped: {r['skipped']}")


if __name__ == "__main__":
    main()
