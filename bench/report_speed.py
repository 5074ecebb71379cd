"""Speed and memory of the full `hotline report` (scoring, every output file, the HTML page) on exports made by
resampling the shared data, with the shipped default models.

    python bench/report_speed.py [--rows 10000 200000] [--workers 1 2] [--keep DIR]

Each export is a CSV in the office layout: two rows in three are a message with its reply and times from
replies/replies.csv, one in three a message with its office category from category/train.csv and no reply yet;
40 units, office request types and outcome columns are assigned by a seeded generator, so every run builds the same
file. The report runs as a real `python -m serve report` process; peak memory is sampled every 0.2 s over the process
and its workers: the sum of RSS (pages the forked workers share with the parent count once per process) and the sum
of PSS (shared pages split between the processes: the memory actually taken). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from training.data import SHARED_DATA, read_table  # noqa: E402

HEADER = ("工单编号", "受理时间", "标题", "诉求内容", "一级分类", "诉求类型", "承办单位", "答复内容", "办结时间", "是否办结",
          "满意度")
UNITS = [f"{place}{office}" for place in ("A1区", "A3区", "A5区", "B3县")
         for office in ("住房和城乡建设局", "城市管理和综合执法局", "市场监督管理局", "人力资源和社会保障局", "教育局",
                        "生态环境分局", "公安分局", "卫生健康局", "交通运输局", "人民政府")]
TYPES = ("投诉", "投诉", "投诉", "咨询", "求助", "举报", "建议")
SATISFACTION = ("满意", "满意", "基本满意", "不满意", "未评价")


def build_export(path: Path, rows: int, seed: int = 0) -> None:
    replies = read_table(SHARED_DATA / "replies" / "replies.csv", ("id", "title", "content", "reply"),
                         ("message_time", "reply_time")).to_dict("records")
    messages = read_table(SHARED_DATA / "category" / "train.csv", ("id", "title", "content", "label"),
                          ("message_time",)).to_dict("records")
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            unit, kind = rng.choice(UNITS), rng.choice(TYPES)
            if i % 3 == 2:
                m = rng.choice(messages)
                writer.writerow([f"B{i:07d}", m["message_time"], m["title"], m["content"], m["label"], kind, unit,
                                 "", "", "否", ""])
            else:
                r = rng.choice(replies)
                writer.writerow([f"B{i:07d}", r["message_time"], r["title"], r["content"], "", kind, unit, r["reply"],
                                 r["reply_time"], "是", rng.choice(SATISFACTION)])


def run_report(source: Path, out: Path, workers: int) -> tuple[float, float, float, str]:
    """Wall seconds, peak summed RSS and PSS (MiB) of the report process tree, and its last stderr line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "serve", "report", str(source), "-o", str(out),
                                "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    root = psutil.Process(process.pid)
    peak_rss = peak_pss = 0.0
    while process.poll() is None:
        rss = pss = 0
        try:
            for member in [root, *root.children(recursive=True)]:
                info = member.memory_full_info()
                rss, pss = rss + info.rss, pss + info.pss
        except psutil.Error:  # a worker ended between listing and reading
            pass
        peak_rss, peak_pss = max(peak_rss, rss / 2**20), max(peak_pss, pss / 2**20)
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read()
    if process.returncode != 0:
        raise SystemExit(f"report failed ({process.returncode}): {stderr}")
    return seconds, peak_rss, peak_pss, " ".join(stderr.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 200_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--keep", type=Path, default=None, help="write the exports and reports here (kept)")
    args = parser.parse_args()
    if not (SHARED_DATA / "replies" / "replies.csv").is_file():
        raise SystemExit(f"the shared data is needed: {SHARED_DATA} not found")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for rows in args.rows:
            source = folder / f"export_{rows}.csv"
            build_export(source, rows)
            print(f"{rows:,} rows: {source.stat().st_size / 2**20:.0f} MiB of CSV", flush=True)
            for workers in args.workers:
                seconds, rss, pss, said = run_report(source, folder / f"report_{rows}_{workers}", workers)
                print(f"  --workers {workers}: {seconds:.1f} s, {rows / seconds:,.0f} tickets/s; peak memory "
                      f"{pss:,.0f} MiB PSS ({rss:,.0f} MiB summed RSS)\n    {said}", flush=True)


if __name__ == "__main__":
    main()
