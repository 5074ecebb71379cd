"""ReplyAuditor on a tiny model trained in the test session: fields, thresholds, skeleton, errors, save/load, policy."""

import numpy as np
import pytest

from model.advice import ADD, REDO_REASONS, advise
from model.audit_results import ELEMENTS, ReplyTicket
from model.auditor import EMPTY_REPLY, ReplyAuditor
from model.linear import CalibratedLinear
from tests.conftest import read_samples
from training.fit_auditor import linear_head

FORWARD_ONLY = ReplyTicket(id="f", title="路灯不亮", content="小区门口路灯坏了一个月，请尽快修复。",
                           reply="网友：您好！您反映的问题已转A市城管局调查处理。")


@pytest.fixture(scope="module")
def sample_tickets_with_replies():
    return [ReplyTicket(**{k: r[k] for k in ("id", "title", "content", "reply", "message_time", "reply_time", "type")})
            for r in read_samples("sample_replies.csv")]


def test_every_field_of_an_audit(tiny_auditor, sample_tickets_with_replies):
    audits = tiny_auditor.audit(sample_tickets_with_replies)
    assert [a.id for a in audits] == [t.id for t in sample_tickets_with_replies]
    for ticket, audit in zip(sample_tickets_with_replies, audits, strict=True):
        assert audit.error is None and audit.verdict in ("pass", "redo")
        assert (audit.verdict == "redo") == (audit.redo_risk >= tiny_auditor.redo_threshold)
        assert 0 <= audit.score <= 100 and 0 <= audit.redo_risk <= 1
        for name in ELEMENTS:
            element = getattr(audit.elements, name)
            assert 0 <= element.confidence <= 1
            assert all(ticket.reply[s.start:s.end] == s.text for s in element.evidence)
            assert element.present or not element.evidence
        assert audit.relevance.level in (0, 1, 2) and audit.timeliness.limit_days in (5, 15)
        if audit.verdict == "redo":  # a redo always says why
            assert {i.code for i in audit.issues} & (REDO_REASONS | {"RESULT_UNCLEAR"})
        praise = "表扬" in (ticket.type or "")
        assert audit.suggestions.skeleton.startswith("感谢表扬：" if praise else "收到诉求：")
        if praise:  # a thank-you needs no handling elements
            assert audit.verdict == "pass" and not audit.suggestions.add
            continue
        missing = {name for name in ELEMENTS if not getattr(audit.elements, name).present}
        assert {f"MISSING_{name.upper()}" for name in missing} <= {i.code for i in audit.issues}
        assert len(audit.suggestions.add) >= len(missing)


def test_an_element_is_present_when_its_probability_reaches_its_threshold(tiny_auditor, tmp_path):
    tickets = [FORWARD_ONLY, ReplyTicket(id="t", title="路灯不亮", content="路灯坏了", reply=(
        "您好！A市城管局于5月3日派维修人员到现场查看，5月4日已更换线路，路灯已恢复照明。"))]
    tiny_auditor.save(tmp_path, {"metrics": {}})
    loaded = ReplyAuditor.load(tmp_path)
    p_time = loaded.probabilities(loaded.features(tickets))[0][:, ELEMENTS.index("time")]
    for threshold in (float(p_time.min()), float(p_time.max()) + 1e-6):
        auditor = ReplyAuditor.load(tmp_path)
        auditor.element_thresholds["time"] = threshold
        audits = auditor.audit(tickets)
        assert [a.elements.time.present for a in audits] == [bool(p >= threshold) for p in p_time]
        for audit, p in zip(audits, p_time, strict=True):
            expected = p if audit.elements.time.present else 1 - p
            assert audit.elements.time.confidence == pytest.approx(expected, abs=1e-4)
    assert ReplyAuditor.load(tmp_path).element_thresholds == tiny_auditor.element_thresholds


def test_tiny_auditor_learns_the_samples(tiny_auditor, sample_replies, sample_tickets_with_replies):
    audits = tiny_auditor.audit(sample_tickets_with_replies)
    predicted = np.array([a.verdict == "redo" for a in audits])
    assert (predicted == (sample_replies["verdict"] == "redo").to_numpy()).mean() >= 0.8


def test_skeleton_keeps_what_the_reply_has_and_marks_what_it_lacks(tiny_auditor):
    full = ReplyTicket(title="路灯不亮", content="路灯坏了", reply=(
        "您好！A市城管局于5月3日派维修人员到现场查看，发现线路老化。5月4日已更换线路，路灯已恢复照明。"
        "工作人员已电话联系您并说明了情况。"))
    audit = tiny_auditor.audit([full])[0]
    skeleton = audit.suggestions.skeleton.split("\n")
    assert [line.split("：")[0] for line in skeleton] == ["收到诉求", "调查核实", "处理结果", "联系当事人"]
    if audit.elements.result.present:
        assert "恢复照明" in skeleton[2]
    forward = tiny_auditor.audit([FORWARD_ONLY])[0]
    assert "〔" in forward.suggestions.skeleton and "路灯不亮" in forward.suggestions.skeleton


def test_empty_reply_gets_an_error_and_the_rest_are_audited(tiny_auditor):
    audits = tiny_auditor.audit([FORWARD_ONLY, ReplyTicket(id="e", reply="  \n"), FORWARD_ONLY])
    assert audits[1].error == EMPTY_REPLY and audits[1].verdict is None
    assert audits[0].error is None and audits[2].redo_risk == audits[0].redo_risk


def test_save_and_load_give_the_same_audits(tiny_auditor, tiny_auditor_dir, sample_tickets_with_replies):
    loaded = ReplyAuditor.load(tiny_auditor_dir)
    assert loaded.version.startswith(tuple("0123456789"))
    before = tiny_auditor.audit(sample_tickets_with_replies)
    after = loaded.audit(sample_tickets_with_replies)
    assert [a.verdict for a in before] == [a.verdict for a in after]
    assert np.allclose([a.redo_risk for a in before], [a.redo_risk for a in after], atol=2e-3)


def test_a_policy_file_changes_weights_and_limits(tiny_auditor_dir, tmp_path):
    policy = tmp_path / "office.toml"
    policy.write_text('[score]\nresult = 0\norg = 0\ntime = 0\nprocess = 0\ncontact = 0\nrelevance = 1\n'
                      '[time_limits]\ndefault = 1\n', encoding="utf-8")
    auditor = ReplyAuditor.load(tiny_auditor_dir, policy)
    ticket = FORWARD_ONLY.model_copy(update={"message_time": "2019-05-06", "reply_time": "2019-05-10"})
    audit = auditor.audit([ticket])[0]
    assert audit.score == pytest.approx(100 * audit.relevance.score, abs=0.1)
    assert audit.timeliness.overdue and "OVERDUE" in {i.code for i in audit.issues}
    policy.write_text("[score]\nbogus = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bogus"):
        ReplyAuditor.load(tiny_auditor_dir, policy)


def test_linear_head_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    binary = LogisticRegression().fit(x, (x[:, 0] > 0).astype(int))
    three = LogisticRegression().fit(x, np.digitize(x[:, 1], [-0.5, 0.5]))
    for model in (binary, three):
        head = linear_head(model)
        assert isinstance(head, CalibratedLinear)
        assert np.allclose(head.predict_proba(x), model.predict_proba(x), atol=1e-5)


def test_a_redo_without_another_reason_asks_for_a_clearer_result():
    from model.audit_results import ElementAudit, Relevance
    from model.elements import detect_elements

    ticket = ReplyTicket(title="噪音扰民", content="工地夜间施工", reply="您好！我局执法中队于5月3日晚到现场核查，该工地确有"
                                                                 "夜间施工情况，已要求施工单位整改，停止夜间作业。"
                                                                 "5月4日工作人员已电话联系您，告知了处理情况。")
    elements = {name: ElementAudit(present=True, confidence=0.6) for name in ELEMENTS}
    relevance = Relevance(level=2, score=0.9)
    rules = detect_elements(ticket.reply)
    redo = advise(ticket, rules, elements, relevance, None, "redo")
    assert [i.code for i in redo.issues] == ["RESULT_UNCLEAR"] and redo.suggestions.add == [ADD["result"]]
    passed = advise(ticket, rules, elements, relevance, None, "pass")
    assert passed.issues == [] and passed.suggestions.add == []


def test_a_short_redo_is_told_it_is_too_brief_before_anything_else():
    from model.audit_results import ElementAudit, Relevance
    from model.elements import detect_elements

    ticket = ReplyTicket(title="路灯不亮", content="小区路灯坏了一个月", reply="区城管局已于6月3日修复路灯，并电话告知您。")
    elements = {name: ElementAudit(present=True, confidence=0.6) for name in ELEMENTS}
    rules = detect_elements(ticket.reply)
    redo = advise(ticket, rules, elements, Relevance(level=2, score=0.9), None, "redo")
    assert [i.code for i in redo.issues] == ["TOO_BRIEF"] and "60" in redo.issues[0].message
    assert advise(ticket, rules, elements, Relevance(level=2, score=0.9), None, "pass").issues == []
    longer = detect_elements("区城管局路灯管理所于6月3日派维修人员到现场查看，发现电缆老化断路，当天更换了电缆和灯具，"
                             "路灯已恢复照明，6月4日工作人员电话告知了您处理结果。")
    redo = advise(ticket, longer, elements, Relevance(level=2, score=0.9), None, "redo")
    assert [i.code for i in redo.issues] == ["RESULT_UNCLEAR"]  # 60 characters or more: not too brief


def _advise_all_present(reply: str, present: bool = True, **ticket_fields):
    """Advice on a reply whose elements are all judged present (or all absent), evidence from the rules."""
    from model.audit_results import ElementAudit, EvidenceSpan, Relevance
    from model.elements import detect_elements

    ticket = ReplyTicket(**{"title": "路灯不亮", "content": "小区路灯坏了一个月", "reply": reply, **ticket_fields})
    rules = detect_elements(reply)
    elements = {name: ElementAudit(present=present, confidence=0.6, evidence=[
        EvidenceSpan(start=s.start, end=s.end, text=s.text, kind=s.kind) for s in rules.spans[name]
        if s.kind not in ("time:signoff", "time:message", "time:policy")] if present else [])  # as the auditor does
        for name in ELEMENTS}
    return advise(ticket, rules, elements, Relevance(level=2, score=0.9), None, "pass")


def test_the_skeleton_quotes_the_reply_as_written_in_the_right_parts():
    reply = ("您好，来信收悉。区城管局于5月3日派维修人员到现场查看，发现线路老化（共3盏）。5月4日已更换线路，路灯已恢复照明。"
             "正在协调处理中。工作人员已电话联系您说明了情况，您表示满意。\n\n和平街道办事处\u3000 2025年5月6日")
    lines = _advise_all_present(reply).suggestions.skeleton.split("\n")
    assert lines[0] == "收到诉求：您好，来信收悉。"
    assert lines[1] == "调查核实：区城管局于5月3日派维修人员到现场查看，发现线路老化（共3盏）。"  # full-width kept
    assert lines[2] == "处理结果：5月4日已更换线路，路灯已恢复照明。"
    assert lines[3] == "联系当事人：工作人员已电话联系您说明了情况，您表示满意。"
    assert "正在协调处理中" not in "".join(lines) and "2025年5月6日" not in lines[1]  # banned phrase, sign-off left out


def test_a_sentence_holding_process_and_result_is_split_at_its_commas():
    reply = ("区市场监管局于6月2日对该超市进行检查，发现其销售过期食品，已依法没收过期食品12件，并处罚款2000元。"
             "6月3日已电话告知您。")
    lines = _advise_all_present(reply).suggestions.skeleton.split("\n")
    assert lines[1] == "调查核实：区市场监管局于6月2日对该超市进行检查，发现其销售过期食品。"
    assert lines[2] == "处理结果：已依法没收过期食品12件，并处罚款2000元。"  # 处罚 after the result stays in the result
    assert lines[3] == "联系当事人：6月3日已电话告知您。"


def test_sentences_without_evidence_are_kept_with_their_neighbours_and_a_done_result_is_placed_as_such():
    answer = _advise_all_present("您好！异地就医需先备案。您可以到区医保局窗口办理备案。感谢您的来信！", present=False,
                                 type="咨询").suggestions.skeleton.split("\n")
    assert answer[2] == "处理结果：异地就医需先备案。您可以到区医保局窗口办理备案。"  # the answer, thanks left out
    lines = _advise_all_present("您好！经复查，该彩钢房已于当天拆除完毕。", present=False).suggestions.skeleton.split("\n")
    assert lines[1].startswith("调查核实：〔") and lines[2] == "处理结果：经复查，该彩钢房已于当天拆除完毕。"  # models doubt it
    spaced = _advise_all_present("您好。", present=False, title="Wi-Fi hotspot in library").suggestions.skeleton
    assert "“Wi-Fi hotspot in library”" in spaced


def test_a_first_sentence_that_goes_on_after_its_greeting_is_the_answer_not_the_opening():
    reply = "您好，社保关系转移可携带身份证到市社保中心办理，也可在网上申请。"
    lines = _advise_all_present(reply, present=False, type="咨询").suggestions.skeleton.split("\n")
    assert lines[2] == "处理结果：" + reply
    for opening in ("关于“路灯不亮”的回复 网友： 您好！", "网友朋友：您们好！", "网友：您反映的问题已转区城管局调查处理。"):
        lines = _advise_all_present(opening + "路灯已于5月3日修复。", present=False).suggestions.skeleton.split("\n")
        assert opening not in "\n".join(lines[1:]) and lines[2] == "处理结果：路灯已于5月3日修复。", opening


def test_a_result_the_models_doubt_is_called_vague_not_missing():
    advice = _advise_all_present("您好！该拉面馆已整改到位，问题已解决。", present=False)
    no_result = next(i for i in advice.issues if i.code == "NO_RESULT")
    assert "已整改到位" in no_result.message and "没有办理结果" not in no_result.message
    assert any(line.startswith("办理结果已写") for line in advice.suggestions.add)
    bare = _advise_all_present("您好！已安排相关部门处理。", present=False)
    assert any("没有办理结果" in i.message for i in bare.issues)
    assert not any(line.startswith("办理结果已写") for line in bare.suggestions.add)


def test_an_opening_that_is_not_an_acknowledgement_is_not_the_received_line():
    lines = _advise_all_present("杂物已经清理干净了，谢谢您的监督。", present=False).suggestions.skeleton.split("\n")
    assert lines[0] == "收到诉求：您反映的“路灯不亮”问题已收悉。"
    consult = _advise_all_present("您好。", present=False, type="政策咨询")
    assert consult.suggestions.skeleton.startswith("收到诉求：您咨询的“路灯不亮”问题已收悉。")
    assert "查询" in " ".join(consult.suggestions.add) and "到现场" not in " ".join(consult.suggestions.add)
    titled = _advise_all_present("您好。", present=False, title="咨询居住证办理事宜")
    assert titled.suggestions.skeleton.startswith("收到诉求：您咨询的“咨询居住证办理事宜”问题已收悉。")
    typed = _advise_all_present("您好。", present=False, title="咨询居住证办理事宜", type="投诉")
    assert typed.suggestions.skeleton.startswith("收到诉求：您反映的")  # the type, when given, decides


def test_a_banned_phrase_inside_a_reply_with_a_result_is_not_an_issue():
    reply = "正在协调处理中。区城管局于5月3日到现场查看，5月4日已更换线路，路灯已恢复照明，工作人员已电话告知您。"
    assert "BANNED_PHRASE" not in {i.code for i in _advise_all_present(reply).issues}
    assert "BANNED_PHRASE" in {i.code for i in _advise_all_present(reply, present=False).issues}


def test_a_praise_message_is_passed_and_not_told_to_add_a_result(tiny_auditor):
    praise = ReplyTicket(title="表扬公交驾驶员", content="感谢12路司机帮我找回钱包", type="表扬",
                         reply="感谢您对我们工作的肯定，我们已将您的表扬转达给驾驶员所在车队。")
    audit = tiny_auditor.audit([praise])[0]
    assert audit.verdict == "pass" and audit.issues == [] and audit.suggestions.add == []
    assert audit.suggestions.skeleton.startswith("感谢表扬：") and "调查核实" not in audit.suggestions.skeleton
    same_as_complaint = tiny_auditor.audit([praise.model_copy(update={"type": "投诉"})])[0]
    assert same_as_complaint.issues  # the same reply to a complaint is told what it lacks


def test_the_contact_element_does_not_move_the_redo_risk(tiny_auditor):
    features = tiny_auditor.features([FORWARD_ONLY, FORWARD_ONLY])
    element_p = np.full((2, len(ELEMENTS)), 0.6)
    element_p[:, ELEMENTS.index("contact")] = (0.01, 0.99)
    risk, relevance = tiny_auditor.stage_two(element_p, features)
    assert risk[0] == pytest.approx(risk[1]) and relevance[0] == pytest.approx(relevance[1])
    element_p[1, ELEMENTS.index("result")] = 0.99  # the result does
    assert tiny_auditor.stage_two(element_p, features)[0][1] < risk[1]


def test_an_auditor_whose_redo_model_reads_contact_asks_to_be_retrained(tiny_auditor, tmp_path):
    import json

    from model.artifacts import ModelFileError

    tiny_auditor.save(tmp_path, {"metrics": {}})
    config_file = tmp_path / "audit_text.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    del config["stage_two_elements"]  # as written before stage two left contact out
    config_file.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelFileError, match="retrain"):
        ReplyAuditor.load(tmp_path)


def test_variants_of_the_forbidden_simple_replies_are_flagged_and_left_out_of_the_skeleton():
    advice = _advise_all_present("您好！我们将尽快安排相关部门处理。", present=False)
    assert "“安排相关部门处理”" in {i.message.split("：")[-1] for i in advice.issues if i.code == "BANNED_PHRASE"}
    assert "安排相关部门处理" not in advice.suggestions.skeleton
    assert not [i for i in _advise_all_present("区城管局已于5月3日修复路灯。", present=False).issues
                if i.code == "BANNED_PHRASE"]


@pytest.mark.parametrize(("element", "stated", "unstated", "evidence"), [
    # "已电话告知您" is a contact made; a promise to report back is not
    ("contact", "A市城管局于5月3日更换线路，路灯已恢复照明。5月4日已电话告知您处理结果。",
     "A市城管局于5月3日更换线路，路灯已恢复照明。处理情况会向您反馈。", "电话告知"),
    # "经核实" is the unit looking into the matter
    ("process", "经核实，该路段路灯线路老化，A市城管局已于5月3日更换线路，路灯已恢复照明。",
     "该路段路灯线路老化，A市城管局已于5月3日更换线路，路灯已恢复照明。", "经核实"),
])
def test_an_element_stated_in_so_many_words_is_present_whatever_the_model_says(tiny_auditor, tmp_path, element,
                                                                              stated, unstated, evidence):
    tiny_auditor.save(tmp_path, {"metrics": {}})
    auditor = ReplyAuditor.load(tmp_path)
    auditor.element_thresholds[element] = 1.0  # the model alone never reaches it; a stated element counts as 1
    audits = auditor.audit([ReplyTicket(id=i, title="路灯不亮", content="路灯坏了", reply=reply)
                            for i, reply in (("s", stated), ("u", unstated))])
    assert [getattr(a.elements, element).present for a in audits] == [True, False]
    assert evidence in [e.text for e in getattr(audits[0].elements, element).evidence]
    assert f"MISSING_{element.upper()}" not in [issue.code for issue in audits[0].issues]


def _audits_and_raw_risks(auditor: ReplyAuditor, tickets: list[ReplyTicket], threshold: float):
    """Audits at the given redo threshold, and the redo risks stage two gives before statements count."""
    features = auditor.features(tickets)
    raw_risk = auditor.stage_two(auditor.element_probabilities(features), features)[0]
    auditor.redo_threshold = threshold
    return auditor.audit(tickets), raw_risk


def test_a_reply_stating_the_four_elements_has_them_and_its_risk_is_the_rate_such_replies_were_sent_back(
        tiny_auditor, tmp_path):
    tiny_auditor.save(tmp_path, {"metrics": {}})
    auditor = ReplyAuditor.load(tmp_path)
    assert auditor.statement_redo_rates == tiny_auditor.statement_redo_rates
    rate = auditor.statement_redo_rates["complete"]
    for name in ("org", "time", "process", "result"):
        auditor.element_thresholds[name] = 0.8  # the models alone find none of them
    stated, planned = [ReplyTicket(id=i, title="路灯不亮", content="路灯坏了", reply=reply) for i, reply in (
        ("s", "区城管局于6月3日到现场查看，路灯已恢复照明。"),
        ("p", "区城管局于6月3日到现场查看，将于近期修复路灯。"))]
    audits, raw_risk = _audits_and_raw_risks(auditor, [stated, planned], threshold=rate + 0.01)
    assert all(getattr(audits[0].elements, name).present for name in ("org", "time", "process", "result"))
    assert audits[0].redo_risk <= rate and audits[0].verdict == "pass"
    assert audits[0].relevance.level >= 1  # a stated outcome has answered something
    assert not audits[1].elements.result.present  # a plan states nothing: the models decide
    assert audits[1].redo_risk == pytest.approx(raw_risk[1], abs=1e-4)


def test_the_stated_redo_rate_is_the_smoothed_share_sent_back():
    from model.auditor import stated_redo_rate

    stated = np.array([True, True, True, False, False])
    redo = np.array([1, 0, 0, 1, 1])
    assert stated_redo_rate(stated, redo) == pytest.approx((1 + 1) / (3 + 2))
    assert stated_redo_rate(np.zeros(3, dtype=bool), np.ones(3)) == 0.5  # no such replies: no evidence either way


def test_a_direct_answer_to_the_title_question_is_the_result_and_caps_the_risk(tiny_auditor, tmp_path):
    tiny_auditor.save(tmp_path, {"metrics": {}})
    auditor = ReplyAuditor.load(tmp_path)
    rate = auditor.statement_redo_rates["answer"] = 0.05
    auditor.element_thresholds["result"] = 0.9  # the model alone finds no result; a statement makes it 1 − rate
    title, content = "西地省科技学院学生异地身份证办理的咨询", "我是外地户口的学生，能在学校所在地办理身份证吗？"
    answered, redirected = [ReplyTicket(id=i, title=title, content=content, reply=reply) for i, reply in (
        ("a", "您好！可以异地办理身份证，携带户口本及在本地学习的证明到就近派出所办理即可。"),
        ("r", "您好！具体情况请咨询户籍所在地派出所。"))]
    audits, raw_risk = _audits_and_raw_risks(auditor, [answered, redirected], threshold=rate + 0.01)
    result = audits[0].elements.result
    assert result.present and [(e.kind, e.text) for e in result.evidence][-1] == ("result:answer", "可以异地办理身份证")
    assert audits[0].redo_risk <= rate and audits[0].verdict == "pass" and audits[0].relevance.level >= 1
    assert not audits[1].elements.result.present  # sending the citizen elsewhere answers nothing
    assert audits[1].redo_risk == pytest.approx(raw_risk[1], abs=1e-4)


def test_a_reply_whose_last_word_is_that_the_case_is_still_being_handled_has_no_result_and_a_floored_risk(
        tiny_auditor, tmp_path):
    tiny_auditor.save(tmp_path, {"metrics": {}})
    auditor = ReplyAuditor.load(tmp_path)
    rate = auditor.statement_redo_rates["pending"] = 0.95
    auditor.element_thresholds["result"] = 0.06  # the model alone finds a result in every reply; pending is ≤ 0.05
    title, content = "举报斯佩斯酒吧无证经营", "该酒吧没有消防许可擅自营业，请查处。"
    pending, framed, done = [ReplyTicket(id=i, title=title, content=content, reply=reply) for i, reply in (
        ("p", "经核查，该酒吧存在未经消防安全检查擅自营业的违法行为。对此，市消防支队已依法立案查处，目前案件正在办理中。"
              "感谢您对我们工作的支持！"),
        ("f", "经核查，该酒吧存在未经消防安全检查擅自营业的违法行为，整改正在进行中，预计11月15日前完成。"),
        ("d", "经核查，该酒吧存在违法行为，案件正在办理中。目前该酒吧已停业整改。"))]
    done_rate = auditor.statement_redo_rates["done"] = 0.2
    audits, raw_risk = _audits_and_raw_risks(auditor, [pending, framed, done], threshold=0.99)
    assert not audits[0].elements.result.present and audits[0].redo_risk >= rate
    issue = next(issue for issue in audits[0].issues if issue.code == "PROCESS_NO_RESULT")
    assert "“正在办理”收尾" in issue.message
    assert audits[1].redo_risk == pytest.approx(raw_risk[1], abs=1e-4)  # a time frame after the status: models decide
    assert audits[2].elements.result.present and audits[2].redo_risk <= done_rate  # a result after it: stated done


def test_a_result_written_as_done_is_present_and_caps_the_risk(tiny_auditor, tmp_path):
    tiny_auditor.save(tmp_path, {"metrics": {}})
    auditor = ReplyAuditor.load(tmp_path)
    rate = auditor.statement_redo_rates["done"] = 0.05
    auditor.element_thresholds["result"] = 0.9  # the model alone finds no result; a done statement makes it 1 − rate
    title, content = "小区路灯不亮", "小区门口路灯坏了一个月，晚上出行不便。"
    done, ordered, planned = [ReplyTicket(id=i, title=title, content=content, reply=reply) for i, reply in (
        ("d", "您好！路灯已修复，恢复照明。如发现类似问题，我局将及时处理。"),
        ("o", "您好！已责令路灯维护单位修复。"),
        ("p", "您好！我局将尽快安排人员修复路灯。"))]
    audits, raw_risk = _audits_and_raw_risks(auditor, [done, ordered, planned], threshold=rate + 0.01)
    result = audits[0].elements.result
    assert result.present and "已修复" in [e.text for e in result.evidence]
    assert audits[0].redo_risk <= rate and audits[0].verdict == "pass"
    for audit, risk in zip(audits[1:], raw_risk[1:], strict=True):  # an order or a plan states no outcome
        assert not audit.elements.result.present and audit.verdict == "redo"
        assert audit.redo_risk == pytest.approx(risk, abs=1e-4)


def test_a_thanks_only_message_is_praise_without_a_type():
    from model.advice import is_praise

    reply = "感谢您对我们工作的肯定，我们将继续努力。"
    thanks = ReplyTicket(id="t", title="感谢各位领导，我反映的问题得到了重视", content="此事已在解决之中，非常感谢！", reply=reply)
    thanks_and_asks = ReplyTicket(id="a", title="非常感谢书记答复噪音问题，希望尽快解决", content="噪音还在。", reply=reply)
    typed = ReplyTicket(id="y", title="感谢社区", content="感谢社区帮忙。", reply=reply, type="投诉")
    assert [is_praise(t) for t in (thanks, thanks_and_asks, typed)] == [True, False, False]


def test_an_auditor_saved_before_statements_counted_asks_to_be_retrained(tiny_auditor, tmp_path):
    import json

    from model.artifacts import ModelFileError

    tiny_auditor.save(tmp_path, {"metrics": {}})
    config_file = tmp_path / "audit_text.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    del config["statement_redo_rates"]["answer"]
    config_file.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelFileError, match="retrain"):
        ReplyAuditor.load(tmp_path)


def test_the_date_background_feature_is_read_by_the_time_model_only(tiny_auditor):
    from model.audit_features import ELEMENT_ONLY_RULES, element_matrices, extract
    from model.elements import RULE_FEATURE_NAMES
    from model.relevance import REL_FEATURE_NAMES

    ticket = ReplyTicket(id="b", title="采石场扰民", content="采石场天天放炮。", message_time="2019-06-01 09:30:00",
                         reply="永安采石场成立于2013年9月24日，采矿许可证于2015年6月30日取得。")
    features = extract([ticket])
    matrices = element_matrices(features, tiny_auditor.tfidf, tiny_auditor.scale)
    width = matrices["time"].shape[1]
    for name, owner in ELEMENT_ONLY_RULES.items():
        column = width - len(REL_FEATURE_NAMES) - len(RULE_FEATURE_NAMES) + RULE_FEATURE_NAMES.index(name)
        assert features.rule_matrix[0, RULE_FEATURE_NAMES.index(name)] == 1.0
        assert {element: matrix[0, column] > 0 for element, matrix in matrices.items()} == {
            element: element == owner for element in matrices}
        assert not any(head.coef[:, column].any() for element, head in tiny_auditor.element_heads.items()
                       if element != owner)  # the other models learnt no weight for it


def test_a_reply_that_writes_a_done_outcome_is_never_off_topic(tiny_auditor):
    from model.audit_features import extract
    from model.auditor import answers_something, not_off_topic, statements

    tickets = [ReplyTicket(id=i, title="饭店排风机噪声扰民", content="楼下饭店排风机噪声很大，请处理。", reply=reply) for i, reply in (
        ("done", "经区环保局监测，噪声排放已明显降低，符合标准。"),
        ("none", "您好，您的留言已收悉。"))]
    features = extract(tickets)
    rows = answers_something(features, statements(features))
    assert rows.tolist() == [True, False]
    levels = tiny_auditor.relevance_head.labels
    uniform = np.full((2, len(levels)), 1 / len(levels))
    ruled = not_off_topic(uniform, rows, levels)
    off = [j for j, level in enumerate(levels) if int(level) == 0]
    assert ruled[0, off].sum() == 0 and ruled[1, off].sum() > 0
    assert np.allclose(ruled.sum(axis=1), 1.0)
    assert tiny_auditor.audit(tickets)[0].relevance.level >= 1


def test_handling_time_needs_a_date_of_this_handling_whatever_the_model_says(tiny_auditor, tmp_path):
    tiny_auditor.save(tmp_path, {"metrics": {}})
    auditor = ReplyAuditor.load(tmp_path)
    auditor.element_thresholds["time"] = 1e-6  # the model alone would find a time in every reply
    background = "红仑汽车站一期工程已于2011年底竣工，2013年5月通过验收，配套设施尚未建成，暂不具备开通条件。"
    tickets = [ReplyTicket(id="old", title="汽车站何时开通", content="车站建好多年了", reply=background,
                           message_time="2019-06-01 09:30:00"),
               ReplyTicket(id="unknown", title="汽车站何时开通", content="车站建好多年了", reply=background),
               ReplyTicket(id="undated", title="汽车站何时开通", content="车站建好多年了",
                           reply="区交通局到现场查看，配套设施尚未建成。", message_time="2019-06-01 09:30:00")]
    time = {a.id: a.elements.time for a in auditor.audit(tickets)}
    assert (time["old"].present, time["old"].confidence, time["old"].evidence) == (False, 1.0, [])
    assert time["unknown"].present and [e.text for e in time["unknown"].evidence] == ["2011年"]
    assert not time["undated"].present
    issue = next(i for i in auditor.audit(tickets[:1])[0].issues if i.code == "MISSING_TIME")
    assert "2011年" in issue.message and "早于来信" in issue.message


def test_a_reply_without_a_result_is_sent_back_whatever_its_risk(tiny_auditor, tmp_path):
    tiny_auditor.save(tmp_path, {"metrics": {}})
    auditor = ReplyAuditor.load(tmp_path)
    auditor.redo_threshold = 0.999  # no risk reaches it
    tickets = [ReplyTicket(id="c", title="路灯不亮", content="小区路灯坏了", reply="区城管局到现场查看了路灯。"),
               ReplyTicket(id="t", title="感谢社区", content="感谢社区帮忙修好路灯！", reply="感谢您的肯定。", type="表扬")]
    auditor.element_thresholds["result"] = 1.0  # no result anywhere
    audits = auditor.audit(tickets)
    assert [a.verdict for a in audits] == ["redo", "pass"] and audits[0].redo_risk < 0.999
    auditor.element_thresholds["result"] = 0.0  # a result everywhere: the risk decides
    assert [a.verdict for a in auditor.audit(tickets)] == ["pass", "pass"]
