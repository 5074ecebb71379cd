"""Evidence that two tickets concern the same matter: the place names both mention, and the key terms they share.

Places are found with regular expressions, not a gazetteer: a name of Chinese characters, letters or digits ending in
a place word (A3区, 闽侯县, 洋里乡, 金桂园小区, 扶峰村, 蔡锷南路, 瀛洲河 …). Text is first cut at punctuation and
at words that never sit inside a name (我是, 位于, 举报 …), so a name does not swallow the words before it.
Shared terms are the query's words (jieba) whose character bigrams the match's TF-IDF vector holds too, rarest first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from model.similar_vectors import OpenVocabularyTfidf

_BITS = 21  # a character n-gram's key: its code points packed 21 bits each (CharNgramTfidf's encoding)
# A shared word says what the matter is only when its bigrams are rare: found, on average, in at most this share of
# the tickets the vocabulary was fitted on (e^-2: a smoothed idf of 3.0 on a large index, lower on a small one).
COMMON_SHARE = math.exp(-2)


def term_idf_floor(vectoriser: OpenVocabularyTfidf) -> float:
    """The smoothed idf of an n-gram in COMMON_SHARE of the fitted tickets. Their number comes from the highest idf
    (an n-gram in one ticket: ln((1 + n) / 2) + 1)."""
    n = 2 * math.exp(float(vectoriser.idf_.max()) - 1) - 1
    return math.log((1 + n) / (1 + COMMON_SHARE * n)) + 1
_NOT_A_TERM = re.compile(r"^[\dA-Za-z.%-]+$|〔")
# Words of the hotline's own phrasing (asking, complaining, politeness): shared by most messages, they name no matter.
_BOILERPLATE = frozenset("咨询 投诉 举报 反映 请问 问题 希望 要求 请求 建议 处理 解决 部门 相关 有关 尽快 特此 严重 何时 什么 时候 "
                         "为何 为什么 怎么 如何 能否 是否 领导 您好 你好 谢谢 关于 情况 一下 现在 已经 还是 没有 还在 "
                         "一直 多次 至今 目前 介入 予以 这个 那个 哪些 不能 可以 需要 直接 经常 每天 我们 他们 "
                         "这样 非常 而且 但是 因为 所以".split())

# Longer place words first, so 小区 wins over 区 and 街道 over 道. A single-character place word must not begin an
# ordinary word (村民, 河道, 路灯, 市长 …); single characters that end too many ordinary words (里, 江, 组) are left out.
_PLACE_WORDS = ("特别行政区", "自治州", "开发区", "高新区", "示范区", "街道", "社区", "小区", "花园", "家园", "公园",
                "广场", "大厦", "大道", "新村", "山庄", "公寓", "商城", "市场", "中学", "小学", "学校", "幼儿园", "医院",
                "卫生院", "大学", "学院", "水库", "省(?!委|长|级|内|里|政府|份|钱|事|心|略|去)",
                "(?<!城)市(?!民|长|委|里|级|政|容|直|属|区|场)", "(?<![厂景校辖片矿灾误盲禁战])区(?!域|长|委|级|别|间|分|内)", "县(?!长|委|级|城|里|内)",
                "镇(?!长|委|政府|里|上|内)", "乡(?!长|镇|村|下|亲|里)", "村(?!民|委|里|干部|级|组|庄|口)",
                "路(?!灯|口|段|面|边|上|况|线|牌|旁|基|过|人|费|网)", "街(?!坊|头|上|边)", "巷(?!子|口)", "弄", "苑",
                "园(?!区|林|长|丁|内)", "府(?!上)", "湾(?!区)", "城(?!管|市|区|乡|里|镇|建|际)",
                "河(?!道|水|边|段|面|岸|床|堤|流|口|涌|沟|南|北)", "湖(?!水|边|面|南|北)", "溪", "港(?!口)",
                "桥(?!下|面|上|头|梁)")
_WORDS = "(?:" + "|".join(_PLACE_WORDS) + ")"
_LONG_WORDS = "(?:" + "|".join(word for word in _PLACE_WORDS if len(word) > 1 and "(" not in word) + ")"
# The data's anonymised names (A3区) first; then one character before a word such as 小区, which continues the place
# just before it (翡翠湾 + 畔小区); otherwise a name of two to eight Chinese characters, as short as can be, before a
# place word, with the place words right after it (金桂园 + 小区).
_PLACE = re.compile(r"[A-Z]\d{0,2}(?:市|区|县|镇|乡)|(?P<tail>[\u4e00-\u9fff]" + _LONG_WORDS + ")" + _WORDS + "*|"
                    r"[\u4e00-\u9fff]{2,8}?" + _WORDS + "+")
_BOUNDARY = re.compile(
    r"[^\w]|_|我们|我家|我是|本人|家住|住在|位于|地处|靠近|附近|对面|旁边|门口|关于|反映|举报|投诉|请求|要求|希望|建议|"
    r"咨询|请问|呼吁|解决|影响|通过|流入|排入|迁入|连接|治理|整治|改造|施工|强烈|没有|已经|一直|现在|目前|导致|造成|"
    r"严重|父亲|母亲|办事处|委员会|居委会|村委会|政府|领导|地点|开设|出处|鉴于|引起|成立|无法|决定|进入|工程|项目|"
    r"谢谢|唯独|但是|而且|以及|的|了|在|是|和|与|及|到|从|向|对|把|被|由|该|这|那|有|我|你|他|她|其|为|给|让|将|"
    r"已|就|都|也|还|又|再|去|来|个|些|号|栋|楼|层|室|期|段|旁|离|至|但|而|以|故|请")
# Names that are a place word with a generic qualifier: they say nothing about which place.
_GENERIC = re.compile(r"^(?:[本该此各全每某一二三四五六七八九十几多个上下内外大小老新前后东南西北中]|"
                      r"城区|市区|县城|城市|小区|社区|农村|乡村|乡镇|街道|马路|道路|公路|小路|政府|城管|省市|市县|"
                      r"区县|县市|市政|地区|城乡|全市|全省|全区|全县|校园|河道|花园|公园|路口|交叉|十字|主干|人行|"
                      r"黑臭|臭水|沿河|周边|当地|本地|外地)" + _WORDS + "*$")


def places(text: str) -> list[str]:
    """Place names in `text` (normalised, whitespace-free), in order of first appearance, each once."""
    names: list[str] = []
    start = 0
    for cut in [*_BOUNDARY.finditer(text), None]:
        end, last = (cut.start() if cut else len(text)), -1
        for match in _PLACE.finditer(text, start, end):
            if match.group("tail") and match.start() == last and names:
                names[-1] += match.group()
            elif match.group("tail"):  # one character and 小区: no name of its own
                continue
            else:
                names.append(match.group())
            last = match.end()
        start = cut.end() if cut else len(text)
    return list(dict.fromkeys(name for name in names if not _GENERIC.match(name)))


def shared_places(query: list[str], match: list[str]) -> list[str]:
    """Places both tickets name (a query name equal to, or contained in, one of the match's), query order."""
    return [name for name in query if any(name == other or (len(name) >= 3 and name in other) for other in match)]


def shared_terms(words: Sequence[str], columns: np.ndarray, vectoriser: OpenVocabularyTfidf, exclude: Sequence[str],
                 titles: str = "", limit: int = 5) -> list[str]:
    """The query's words (jieba) whose character bigrams the match's vector holds too: those in either title (which
    name the matter) first, then the others, rarest first.

    `columns`: the vocabulary positions of the match's non-zero n-grams (sorted, as in a CSR row). Words inside one of
    `exclude` (the shared places), single characters, numbers and words made of common bigrams are left out."""
    candidates = [w for w in dict.fromkeys(words) if len(w) >= 2 and w not in _BOILERPLATE
                  and not _NOT_A_TERM.search(w) and not any(w in name for name in exclude)]
    if not candidates:
        return []
    points = [np.frombuffer(w.encode("utf-32-le"), dtype=np.uint32).astype(np.int64) for w in candidates]
    keys = np.concatenate([(p[:-1] << _BITS) | p[1:] for p in points])  # bigrams, packed as CharNgramTfidf does
    owner = np.repeat(np.arange(len(candidates)), [len(p) - 1 for p in points])
    position = vectoriser.columns(keys)
    held = np.isin(position, columns)
    idf = np.where(held, vectoriser.weights_[position], 0.0)
    counts = np.bincount(owner, minlength=len(candidates))
    all_held = np.bincount(owner, weights=held, minlength=len(candidates)) == counts
    weight = np.bincount(owner, weights=idf, minlength=len(candidates)) / counts
    ranked = sorted(np.flatnonzero(all_held & (weight >= term_idf_floor(vectoriser))),
                    key=lambda i: (candidates[i] not in titles, -weight[i]))
    return [candidates[i] for i in ranked[:limit]]
