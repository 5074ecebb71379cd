"""report.html: the monthly-bulletin view of an export — key figures, units ranked by predicted redo rate, the
per-unit table, a heat map of missing elements, the category and type distributions and the agreement with the
office's own labels. One self-contained file: inline SVG and CSS, every text escaped, no script, no external URL."""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template
from typing import Any

from model.audit_results import ELEMENT_NAMES, ELEMENTS
from serve.report.aggregate import ReportStats
from serve.report.charts import bar_chart, heat_map, percent

TITLE = "12345热线工单办理情况报告"
CHART_UNITS = 30  # units drawn in the charts
TABLE_UNITS = 100  # units listed in the page's table (units.csv has all)
DISAGREEMENTS = 10
PAGE_WORST = 3  # worst replies shown per unit on the page (units.csv lists --worst of them)
OUTCOME_NAMES = {"completed": "办结率", "on_time": "按期办结率", "satisfied": "满意率"}
FIELD_NAMES = {"category": ("办件一级分类", "预测类别"), "type": ("办件诉求类型", "预测诉求类型")}
SHORT_ELEMENT = {"org": "机构", "time": "时间", "process": "过程", "result": "结果", "contact": "联系"}


def _number(value: Any) -> str:
    return "–" if value is None else escape(str(value))


def _table(head: list[str], rows: list[list[str]], name_columns: int = 1, css: str = "") -> str:
    """An HTML table; cells arrive escaped. The first `name_columns` columns are left-aligned text."""
    def line(cells: list[str], tag: str) -> str:
        return "<tr>" + "".join(f'<{tag}{" class=name" if j < name_columns else ""}>{c}</{tag}>'
                                for j, c in enumerate(cells)) + "</tr>"
    return (f'<div class="scroll"><table class="{css}">' + line([escape(h) for h in head], "th")
            + "".join(line(r, "td") for r in rows) + "</table></div>")


def _figures(stats: ReportStats) -> str:
    total = stats.total.row("全部", stats.outcome_columns)
    figures = [("工单", str(stats.rows)), ("已核查答复", str(total["audited"])),
               *([("表扬件答复（不计入核查）", str(total["praise"]))] if total["praise"] else []),
               ("预计退回率", percent(total["redo_rate"])), ("答复过于简单", percent(total["shallow_rate"])),
               ("平均得分", _number(total["mean_score"])),
               ("超期（按时间计）", f"{total['overdue']} / {total['timed']}")]
    figures += [(OUTCOME_NAMES[name] + "（办件数据）", percent(total[f"{name}_rate"])) for name in stats.outcome_columns]
    figures.append(("有问题的行（errors.csv）", str(stats.error_rows)))
    return '<div class="figures">' + "".join(f'<div class="figure"><b>{escape(value)}</b><span>{escape(name)}</span>'
                                             f"</div>" for name, value in figures) + "</div>"


def _units(units: list[dict[str, Any]], outcome_columns: tuple[str, ...]) -> str:
    audited = [u for u in units if u["audited"]][:CHART_UNITS]
    chart = bar_chart([(u["unit"], u["redo_rate"], f"{percent(u['redo_rate'])}（{u['redo']}/{u['audited']}）")
                       for u in audited], "各承办单位预计退回率", color="#c53030")
    heat = heat_map([u["unit"] for u in audited], [ELEMENT_NAMES[e] for e in ELEMENTS],
                    [[u[f"missing_{e}_rate"] for e in ELEMENTS] for u in audited], "各承办单位缺失要素比例")
    head = ["承办单位", "工单", "已核查答复", "预计退回率", "平均退回风险", "过于简单",
            *(f"缺{SHORT_ELEMENT[e]}" for e in ELEMENTS), "平均得分", "超期", *(OUTCOME_NAMES[n] for n in outcome_columns),
            "优先查看的答复（工单编号）"]
    rows = [[escape(u["unit"]), _number(u["tickets"]), _number(u["audited"]), percent(u["redo_rate"]),
             _number(u["mean_redo_risk"]), percent(u["shallow_rate"]),
             *(percent(u[f"missing_{e}_rate"]) for e in ELEMENTS), _number(u["mean_score"]),
             f"{u['overdue']} / {u['timed']}", *(percent(u[f"{n}_rate"]) for n in outcome_columns),
             escape("; ".join(u["worst_ids"].split("; ")[:PAGE_WORST]))] for u in units[:TABLE_UNITS]]
    more = (f'<p class="note">共 {len(units)} 个单位，此处列出前 {TABLE_UNITS} 个；全部见 units.csv。</p>'
            if len(units) > TABLE_UNITS else "")
    drawn = f"前 {CHART_UNITS} 个" if len([u for u in units if u["audited"]]) > CHART_UNITS else "全部"
    return (f"<h2>各承办单位预计退回率（{drawn}有答复的单位，从高到低）</h2>{chart}"
            f'<p class="note">括号内为预计退回件数 / 已核查答复数。</p>'
            f"<h2>承办单位明细</h2>{_table(head, rows, css='units')}{more}"
            f"<h2>缺失要素热力图（{drawn}有答复的单位）</h2>{heat}"
            f'<p class="note">每格为该单位已核查答复中缺少该要素的比例，颜色越深越多。</p>')


def _distributions(stats: ReportStats) -> str:
    charts = []
    for title, table, key in (("预测诉求类别", stats.category_table(), "category"),
                              ("预测诉求类型", stats.type_table(), "type")):
        bars = bar_chart([(r[key], r["tickets"], f"{r['tickets']}（{percent(r['share'])}）") for r in table], title,
                         width=540)
        charts.append(f"<div><h2>{escape(title)}分布</h2>{bars}</div>")
    return '<div class="columns">' + "".join(charts) + "</div>"


def _agreement(stats: ReportStats) -> str:
    if not stats.compared:
        return ""
    parts = ["<h2>与办件原分类的比较</h2>"]
    pairs = stats.agreement_table()
    for field, figures in stats.agreement().items():
        office, predicted = FIELD_NAMES[field]
        parts.append(f"<p>{office}与{predicted}一致：{figures['agree']} / {figures['compared']}"
                     f"（{percent(figures['rate'])}）</p>")
        worst = [p for p in pairs if p["field"] == field and not p["agrees"]][:DISAGREEMENTS]
        if worst:
            parts.append(_table([office, predicted, "件数"],
                                [[escape(p["office_label"]), escape(p["predicted"]), str(p["tickets"])] for p in worst],
                                name_columns=2))
    parts.append('<p class="note">按标签原文比较。办件所用分类体系的名称与模型标签不同时（例如“住房城乡建设”与'
                 "“城乡建设”），不一致不等于分错；agreement.csv 列出全部组合。</p>")
    return "".join(parts)


def _notes(time_limits: str) -> str:
    return f"""<h2>说明</h2><ul>
<li>预计退回率：有答复的工单中，答复核查判为可能被退回重办（redo）的比例；平均退回风险为校准后概率的平均。表扬件的答复（致谢即可）不计入已核查答复、退回率和缺要素比例，单独计数。</li>
<li>答复过于简单：判为 redo，且只写已转办、只写已收悉、套话、只说正在处理、没有任何结果或过程（问题代码
FORWARD_ONLY、ACK_ONLY、BANNED_PHRASE、PENDING_ONLY、NO_RESULT），或答复不足 40 字。</li>
<li>缺要素比例：有答复的工单中，核查认为未写明该要素（办理机构或人员、办理时间、办理过程、办理结果、联系当事人情况）的比例。</li>
<li>超期：留言时间和答复时间都可识别时，按工作日（含法定节假日和调休）计，超过时限（{time_limits}）即为超期；
诉求类型取办件数据中的类型，没有时取预测类型。</li>
<li>办结率、按期办结率、满意率：只在导出数据含“是否办结”“是否按期办结”“满意度”等列时计算，以标明是或否的行为分母。</li>
<li>以上均为模型的预测，供优先抽查参考，不替代人工审核。逐件结果见 tickets_scored.xlsx / .csv，无法处理或时间有误的行见 errors.csv。</li>
</ul>"""


def render(stats: ReportStats, info: dict[str, Any]) -> str:
    """The whole page; `info` holds the input's name, the model versions and the time limits in words."""
    meta = (f"数据：{info['input']}，共 {stats.rows} 件工单，已分类 {stats.total.scored} 件，已核查答复 "
            f"{stats.total.audited} 件。分类模型 {info['classifier']}，答复核查模型 {info['auditor']}。")
    units = stats.unit_table()
    body = (_figures(stats) + _units(units, stats.outcome_columns) + _distributions(stats) + _agreement(stats)
            + _notes(info["time_limits"]))
    template = Template(resources.files("serve.report").joinpath("template.html").read_text(encoding="utf-8"))
    return template.substitute(title=escape(TITLE), meta=escape(meta), body=body)
