"""Training data for the request-type model: the silver set plus weak labels from explicit cues.

Labelled request types are scarce (800 silver rows, one annotator). Two cheap sources are added, each measured
against the gold dev set (see the model card and README):
- the silver rows, the annotator's low-confidence ones at half weight;
- weak labels: messages of category/train.csv outside the silver and gold sets whose TITLE matches an explicit
  cue rule (举报/查处 → 举报, 请问/咨询 → 咨询, 建议 → 建议 …), at a small weight.
The same cue lexicon (cue group → words) is a feature block of the model (:class:`model.features.CueFeatures`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from training.data import SHARED_DATA, load_shared_csv

MAIN_TYPES = ["投诉", "举报", "求助", "咨询", "建议"]
LOW_CONFIDENCE_WEIGHT = 0.5
RULE_WEIGHT = 0.3

TYPE_CUES: dict[str, list[str]] = {
    "举报": ["举报", "查处", "非法", "违法", "偷排", "无证", "无照", "违规", "违章", "违建", "传销", "偷税", "漏税", "黑幕",
             "造假", "虚假", "严查", "彻查", "取缔", "涉嫌", "排污", "私设", "私建", "贪污", "违纪"],
    "咨询": ["请问", "咨询", "能否", "是否可以", "可不可以", "如何办理", "怎么办理", "什么时候", "何时", "怎么办", "多少", "哪里",
             "是否", "吗", "如何", "政策", "条件", "流程", "手续", "标准"],
    "建议": ["建议", "希望增设", "呼吁", "提议", "增设", "增加", "完善", "规划", "改进", "优化", "考虑", "倡议", "加大", "推广",
             "开通", "设置"],
    "投诉": ["投诉", "不作为", "乱收费", "拖欠", "态度差", "态度恶劣", "扰民", "噪音", "欺诈", "退款", "强制", "霸王", "克扣",
             "维权", "推诿", "刁难", "收费"],
    "求助": ["求助", "请求帮助", "恳请解决", "希望尽快修复", "帮帮", "帮忙", "救助", "救救", "困难", "解决", "修复", "维修",
             "无法", "办不了", "恳请", "求求"],
    "表扬": ["感谢", "表扬", "点赞", "致谢", "锦旗"],
    # The rubric's deciding questions, as word groups: is the writer the harmed party (投诉) or a witness
    # exposing someone else (举报)? Is the message asking something (咨询)?
    "本人受害": ["我", "我们", "本人", "我家", "我爸", "我妈", "业主", "家长", "职工", "员工", "我的"],
    "他人违规": ["有人", "老板", "该公司", "他们", "其", "某些", "一些人", "某"],
    "提问": ["?", "吗", "么", "如何", "怎么", "怎样", "是否", "能否", "可否", "何时", "多少", "哪", "什么"],
}

# Title rules for weak labels, first match wins (titles often start with a type word loosely: keep them strict).
TITLE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("表扬", re.compile(r"感谢|表扬|点赞|致谢|锦旗")),
    ("举报", re.compile(r"举报|查处|偷排|无证|非法|传销|偷税|漏税")),
    ("建议", re.compile(r"^建议|^关于.*的建议|建议$|^提议|^呼吁|希望增设|^倡议")),
    ("咨询", re.compile(r"^请问|^咨询|咨询$|的咨询|想咨询|请问")),
    ("求助", re.compile(r"求助|求救|请求帮助|恳请.*解决|请.*帮忙|救救")),
    ("投诉", re.compile(r"^投诉|投诉$|的投诉|乱收费|拖欠|不作为|扰民|态度差|态度恶劣")),
]


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def title_rule(title: str) -> str | None:
    clean = _clean(title)
    return next((label for label, pattern in TITLE_RULES if pattern.search(clean)), None)


def weak_pool(data_dir: Path | None, exclude: pd.DataFrame) -> pd.DataFrame:
    """Messages of category/train.csv that are neither in `exclude` nor near-duplicates of its rows."""
    messages = load_shared_csv("category/train.csv", data_dir)
    seen_titles = {_clean(t) for t in exclude.title if _clean(t)}
    seen_openings = {_clean(c)[:50] for c in exclude.content}
    keep = (~messages.id.isin(set(exclude.id))
            & ~messages.title.map(_clean).isin(seen_titles)
            & ~messages.content.map(lambda c: _clean(c)[:50]).isin(seen_openings))
    return messages[keep].drop_duplicates("title").reset_index(drop=True)


def load_type_training(data_dir: Path | None = None, rule_weight: float = RULE_WEIGHT) -> pd.DataFrame:
    """Columns title, content, type, weight; `attrs['description']` says what went in."""
    data_dir = data_dir or SHARED_DATA
    silver = load_shared_csv("type/type_silver.csv", data_dir)
    silver["weight"] = np.where(silver.confidence == "low", LOW_CONFIDENCE_WEIGHT, 1.0)
    parts = [silver[["title", "content", "type", "weight"]]]
    ruled = pd.DataFrame(columns=["title", "content", "type", "weight"])
    if rule_weight > 0:
        gold_path = data_dir / "type" / "type_gold_dev.csv"
        gold = load_shared_csv("type/type_gold_dev.csv", data_dir) if gold_path.is_file() else silver.iloc[:0]
        pool = weak_pool(data_dir, pd.concat([silver[["id", "title", "content"]], gold[["id", "title", "content"]]]))
        pool["type"] = pool.title.map(title_rule)
        ruled = pool[pool.type.notna()].assign(weight=rule_weight)[["title", "content", "type", "weight"]]
        parts.append(ruled)
    frame = pd.concat(parts, ignore_index=True)
    frame.attrs["description"] = (
        f"type/type_silver.csv ({len(silver)} rows; low-confidence rows weighted {LOW_CONFIDENCE_WEIGHT}) + "
        f"{len(ruled)} messages of category/train.csv weakly labelled by title cue rules (weight {rule_weight})"
    )
    return frame
