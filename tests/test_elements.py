"""The rule detectors of the five reply elements: evidence spans, date roles, flags, demands."""

import pytest

from model.elements import NOT_EVIDENCE, RULE_FEATURE_NAMES, detect_elements
from model.relevance import extract_demands, relevance_features
from model.text import normalise_with_offsets

FULL_REPLY = ("网友：您好！\n\t\t\t您反映的问题，A7区城管局于５月３日上午派执法人员到现场查看，已责令商户整改，现已拆除违建。"
              "工作人员已电话联系您并作了解释。\nA7区城管局 2019年5月10日")


def _kinds(output, element):
    return [span.kind for span in output.spans[element]]


def test_spans_point_into_the_raw_reply_despite_whitespace_and_full_width():
    output = detect_elements(FULL_REPLY)
    spans = [span for element in output.spans.values() for span in element]
    assert spans
    assert all(FULL_REPLY[s.start:s.end] == s.text for s in spans)
    assert "５月３日上午" in [s.text for s in output.spans["time"]]  # raw full-width digits, not the normalised ones


def test_each_element_finds_its_evidence():
    output = detect_elements(FULL_REPLY)
    assert "org:agent" in _kinds(output, "org") and "org:signoff" in _kinds(output, "org")
    assert _kinds(output, "time").count("time:action") == 1 and "time:signoff" in _kinds(output, "time")
    assert "现场查看" in "".join(s.text for s in output.spans["process"])
    assert any("拆除" in s.text for s in output.spans["result"])
    assert any(s.text == "电话联系" for s in output.spans["contact"])
    assert not any(output.flags.values()) or output.flags["PENDING"] == 0


def test_forwarding_only_acknowledgement_only_and_shirking_flags():
    assert detect_elements("网友：您好！您反映的问题已转A市住建局调查处理。").flags["FORWARD_ONLY"]
    assert detect_elements("您好，您的留言已收悉，感谢您的关注。").flags["ACK_ONLY"]
    shirk = detect_elements("您好！经了解，您反映的问题不属于我单位职责范围，请向有关部门反映。")
    assert shirk.flags["SHIRKING"]
    assert not detect_elements(FULL_REPLY).flags["SHIRKING"]


@pytest.mark.parametrize("reply", ["您好，社保关系转移可携带身份证到市社保中心办理。", "您好，转学由各县市区教育局办理。"])
def test_a_transfer_of_records_is_not_forwarding_the_matter(reply):
    output = detect_elements(reply)
    assert not output.flags["FORWARD_ONLY"] and output.feats["fwd_n"] == 0


def test_a_sign_off_date_is_not_a_handling_time():
    output = detect_elements("您好！您反映的路灯问题，我们已安排维修，现已恢复照明。A市城管局2019年5月10日")
    assert "time:action" not in _kinds(output, "time")
    assert output.feats["time_act_day"] == 0


@pytest.mark.parametrize(("reply", "date", "kind"), [
    ("我局将从今晚开始对该公司夜间废气进行检测。", "今晚", "time:action"),  # a relative time is never a policy date
    ("江边村于2019年7月10日至7月16日进行了建房批前公示。", "2019年7月10日", "time:action"),
    ("已要求车队从六月十六号开始停靠该站点。", "六月十六号", "time:action"),
    ("“全面两孩”政策于2016年1月1日起正式实施。", "2016年1月1日", "time:policy"),
    ("该办法自2019年1月1日起施行。", "2019年1月1日", "time:policy"),
    ("请于2019年3月1日前到窗口办理。", "2019年3月1日", "time:policy"),
])
def test_a_date_is_told_apart_as_the_units_action_or_a_policy_date(reply, date, kind):
    spans = {s.text: s.kind for s in detect_elements(reply).spans["time"]}
    assert spans[date] == kind


def test_features_are_complete_for_empty_and_odd_input():
    for reply in ("", None, "    ", "😀" * 10, "1" * 500):
        assert tuple(detect_elements(reply).feats) == RULE_FEATURE_NAMES


def test_offset_map_only_when_text_changes():
    assert normalise_with_offsets("已修复。") == ("已修复。", None)
    text, offsets = normalise_with_offsets("已 修复！")
    assert text == "已修复!" and offsets == [0, 2, 3, 4]


def test_unanswered_demands_are_found_and_masked():
    content = "小区路灯坏了。请问什么时候修好？我的电话13812345678，请尽快回复。"
    demands = extract_demands(content, "路灯不亮")
    assert any("什么时候" in d for d in demands)
    features, unanswered = relevance_features("路灯不亮", content, "您好，感谢您对城市建设的关心。")
    assert features["rel_unaddr_frac"] > 0.5
    assert unanswered and not any("13812345678" in d for d in unanswered)
    answered, _ = relevance_features("路灯不亮", content, "您反映的小区路灯已于5月3日修好，恢复照明。")
    assert answered["rel_dem_mean"] > features["rel_dem_mean"]


def test_shirking_is_disowning_without_naming_the_responsible_unit_and_basis():
    disowns = "经核实，该问题不属于我局管辖范围，建议您通过其他渠道反映。"  # 核实 does not make it handling
    assert detect_elements(disowns).flags["SHIRKING"]
    assert detect_elements("您好！该问题不属于我局职责，请联系区住建局。").flags["SHIRKING"]  # a unit but no basis
    referral = ("您好！经核实，小区内违章搭建不属于我局职责范围。根据《A市城市管理条例》第六条，物业小区内的违法建设由"
                "区住房和城乡建设局负责查处，我局已将您的诉求移交该局。")
    assert not detect_elements(referral).flags["SHIRKING"]
    civil = ("您好！您反映的物业费纠纷属于民事纠纷。根据《民法典》第九百四十四条，业主应按约定交纳物业费。建议您向人民调解"
             "委员会申请调解，或向区人民法院起诉。")
    assert not detect_elements(civil).flags["SHIRKING"]


def test_a_date_followed_by_going_to_the_site_is_a_handling_time():
    for reply in ("区城管局市政维护中心于5月3日上午到现场查看，已更换线路。", "执法队员于5月3日前往小区核实情况。"):
        assert "time:action" in _kinds(detect_elements(reply), "time"), reply
    assert "time:policy" in _kinds(detect_elements("请于6月30日前到社区报名。"), "time")  # a deadline stays one


def test_unit_names_with_he_are_whole_and_dates_are_not_part_of_them():
    def orgs(reply):
        return [s.text for s in detect_elements(reply).spans["org"]]

    assert "区住房和城乡建设局" in orgs("经区住房和城乡建设局核实，已修复。")
    assert "A市人力资源和社会保障局" in orgs("A市人力资源和社会保障局已受理。")
    assert "和平街道办事处" in orgs("感谢您的监督！和平街道办事处")
    assert orgs("区城管局和社区工作人员到现场查看。")[0] == "区城管局"  # 和 joining two units
    assert "执法大队" in orgs("3月13日执法大队到现场查看。") and not any("日" in o for o in orgs("3月13日执法大队到现场查看。"))


def test_fire_stations_calls_and_promises_are_read_as_written():
    def texts(reply, element):
        return [s.text for s in detect_elements(reply).spans[element]]

    assert "A3区消防救援站" in texts("A3区消防救援站于6月3日到现场检查。", "org")
    assert "电话向您解释说明" in texts("工作人员于6月5日电话向您解释说明了缴费政策。", "contact")
    assert "您表示满意" in texts("6月4日上门告知处理结果，您表示满意。", "contact")
    assert texts("如有疑问，可电话向我局咨询。", "contact") == []  # only an offer of a call
    promised = detect_elements("我局将认真研究您的建议，并将进一步核实。")
    assert promised.spans["process"] == [] and promised.feats["proc_future"] == 2


def _texts(reply, element, kind=None):
    return [s.text for s in detect_elements(reply).spans[element] if kind is None or s.kind == kind]


def test_a_date_after_the_greeting_is_the_units_not_the_citizens():
    assert "9月2日" in _texts("您好！9月2日晚，市生态环境局高新分局执法人员到现场检查。", "time", "time:action")
    assert "5月3日" in _texts("您于5月3日在平台反映的问题已收悉。", "time", "time:message")  # the citizen's own date


def test_completed_results_written_with_jiang_or_an_adverb():
    assert "已于9月10日将所收380元资料费全额退还" in _texts("学校已于9月10日将所收380元资料费全额退还。", "result")
    assert {"已自行拆除", "已全部撤回"} <= set(_texts("该店已自行拆除雨棚，店外桌椅已全部撤回店内。", "result"))
    assert _texts("该公司已于6月30日将8600元工资全额转入您的银行账户。", "result")


def test_forwarding_and_a_filed_case_are_not_results_and_on_the_spot_disposal_is():
    assert not _texts("您好！已将您反映的问题转相关部门进行处理。", "result")
    assert not _texts("市消防支队已依法立案查处，目前案件正在办理中。", "result")
    assert "当场销毁" in _texts("民警将发现的赌博机当场销毁，并依法收缴赌博机主板。", "result")
    assert "妥善解决" in _texts("经开发商与您协商，事情得到妥善解决。", "result")


def test_looking_up_a_system_or_policy_is_process_and_plans_are_not():
    assert "经查询" in _texts("经查询社保信息系统，您的缴费记录完整。", "process")
    planned = detect_elements("我局将于近期组织人员到现场核查，届时将结果告知您。")
    assert planned.spans["process"] == [] and planned.feats["proc_future"] >= 2 and planned.feats["res_pending"] >= 2


def test_unit_names_are_cut_at_verbs_and_rooms_titles_and_documents_are_not_units():
    assert "区城市管理综合行政执法局" in _texts("区城市管理综合行政执法局 2026年5月6日", "org")  # not a generic 行政部门
    assert "县交警大队" in _texts("我局会同县交警大队对该路段开展整治。", "org")
    assert _texts("如有疑问请拨打区住建局电话。", "org") == []  # whom to call is not who handled it
    assert _texts("具体问题请咨询市、县人社部门。", "org") == []  # where the citizen is sent, not who handled it
    assert _texts("您可直接向县人力资源服务中心进行咨询。", "org") == []
    assert _texts("我局已通知区城管局到现场处理。", "org", "org:agent") == ["区城管局"]
    assert _texts("执法人员在当事人家客厅查看了漏水情况。", "org", "org:named") == []
    assert _texts("依据《民办学校办学许可证》管理规定办理。", "org") == []
    assert _texts("排队长度过长，班主任已告知家长。", "org") == []
    assert "县人力资源和社会保障局劳动保障监察大队" in _texts("县人力资源和社会保障局劳动保障监察大队已立案。", "org")
    assert "红星实业集团有限公司" in _texts("红星实业集团有限公司已于6月3日整改到位。", "org")  # 有限: not the verb 有
    assert _texts("他有红星公司的股份。", "org") == ["红星公司"]  # the verb 有 still ends a name
    assert _texts("您的来帖我局收悉后，已转相关部门调查处理。", "org", "org:self") == ["我局"]  # 我 ends any name
    assert "中共A7县委" in _texts("中共A7县委于6月3日召开协调会。", "org")  # 中共: not the preposition 中
    assert _texts("该地段2015年市发城集团已完成征收。", "org") == ["市发城集团"]  # a year is not part of the name


def test_calls_that_check_or_confirm_with_the_citizen_are_contact():
    assert {"电话向您核实", "您确认"} <= set(_texts("监察员电话向您核实，您确认已收到全部工资。", "contact"))
    assert "上门告知" in _texts("镇政府工作人员已上门告知您处理情况。", "contact")


@pytest.mark.parametrize("reply,kinds", [
    ("6月3日已电话告知您处理结果。", ["contact:citizen"]),
    ("4月9日已与您电话沟通，您表示满意。", ["contact:citizen", "contact:citizen"]),
    ("区城管局会同街道已电话联系您。", ["contact:citizen"]),
    ("处理情况会向您反馈。", ["contact"]),
    ("因是匿名信，无法与当事人核实了解情况。", ["contact"]),
    ("街道工作人员已上门批评教育门店老板。", ["contact"]),
    ("工作人员已将处理结果电话告知了您。", ["contact:citizen"]),  # 已将: 把's 将, not the future
    ("维修完成后届时电话告知您。", ["contact"]),
    ("多次电话联系您，均无人接听。", ["contact"]),
    ("我街道多次邀约投诉人面谈协商。", ["contact:citizen"]),
    ("社区书记已联系发帖的业主代表。", ["contact:citizen"]),
    ("随即和您进行了联系。", ["contact:citizen"]),
    ("经镇、社区干部与当地村民交流沟通，现误会已消除。", ["contact:citizen"]),
    ("经回访，用户表示满意。", ["contact:citizen", "contact"]),  # 回访 alone names nobody
    ("开发商正积极与部分业主协商。", ["contact"]),  # a company talks to them, not the unit
    ("已督促开发商与业主积极协商处理。", ["contact"]),
])
def test_a_contact_with_the_citizen_stated_as_done_is_marked(reply, kinds):
    assert [span.kind for span in detect_elements(reply).spans["contact"]] == kinds


def test_an_unanswered_demand_is_named_from_its_request_on_and_the_features_do_not_move():
    content = ("我家住在金桂园小区5栋，楼下新开了一家烧烤店，每天营业到凌晨两点，油烟和噪音都很大，严重影响休息，"
               "请问烧烤店有没有营业执照？希望城管部门查处。")
    reply = "经查，该烧烤店已办理营业执照。"
    feats, unanswered = relevance_features("烧烤店", content, reply)
    assert unanswered == ["希望城管部门查处"]  # the licence question is answered though its background is not repeated
    assert feats["rel_unaddr_frac"] == 1.0  # as the models learnt it: both whole sentences count as untouched


def test_results_written_as_relief_or_refunds_and_hurried_dates_and_channels_are_found():
    assert "已畅通" in _texts("经清理，目前道路已畅通。", "result")
    assert "得到缓解" in _texts("拥堵情况已得到缓解。", "result")
    assert "已收到退款" in _texts("当事人已收到退款。", "result")
    assert "已收到" not in _texts("您的留言已收到。", "result")  # an acknowledgement, not a refund
    assert ("time:action", "5.3下午") in [(s.kind, s.text) for s in detect_elements(
        "执法人员于5.3下午到该店检查。").spans["time"]]
    assert not detect_elements("该路段长3.5公里，共1.2亩。").spans["time"]  # numbers, not dates
    assert _kinds(detect_elements("已通过短信告知您处理结果。"), "contact") == ["contact:citizen"]
    assert "contact:citizen" in _kinds(detect_elements("工作人员已与市民张女士取得联系。"), "contact")


def test_units_ending_in_ke_suo_or_guan_are_named_but_hospital_departments_and_degrees_are_not():
    assert "区城管局市容科" in _texts("区城管局市容科于8月2日到现场拆除广告牌。", "org")
    assert "县疾控所" in _texts("县疾控所工作人员上门采样。", "org")
    assert "市图书馆" in _texts("市图书馆已延长开放时间。", "org")
    assert not _texts("他是本科学历，在外科住院。", "org")


@pytest.mark.parametrize(("reply", "stated"), [
    ("区城管局于6月3日到现场查看，路灯已修复。", True),
    ("区交警大队于5月3日到现场清理违停车辆，拥堵情况已得到缓解。", True),
    ("区城管局于6月3日到现场查看，将于近期修复路灯。", False),  # a plan
    ("区城管局于6月3日到现场查看，如已修复请告知。", False),  # a supposition
    ("区城管局到现场查看，路灯已修复。", False),  # no date
    ("于6月3日到现场查看，路灯已修复。", False),  # no handler
    ("区城管局于6月3日到现场查看，经查属实。", False),  # a finding, not an outcome
    ("区人社局监察大队于6月3日调查核实，施工单位已将拖欠的工资全额支付给您。", True),  # 已将: the object, not a plan
    ("区市场监管局于6月3日到现场检查，已责令商家整改。", False),  # an order, its effect unconfirmed
])
def test_a_reply_stating_all_four_required_elements_is_flagged_complete(reply, stated):
    assert detect_elements(reply).flags["COMPLETE_STATED"] == int(stated)


@pytest.mark.parametrize(("reply", "stated"), [
    ("路灯已修复。", True),
    ("区城管局于6月3日到现场查看，路灯已修复。", True),  # complete, and its result is done too
    ("综合验收已办理完毕，现进入产权申报登记阶段。", True),
    ("拥堵情况已得到缓解。", True),
    ("将于近期修复路灯。", False),  # a plan
    ("已责令商家整改。", False),  # an order, its effect unconfirmed
    ("经查属实。", False),  # a finding, not an outcome
    ("如已修复请告知。", False),  # a supposition
    ("经查，该店已停业整改，目前案件正在办理中。", False),  # its last word: still being handled
    ("民警将发现的赌博机当场销毁。", True),  # 将 marks the object of an on-the-spot action
    ("一经发现将当场没收。", False),  # 将 right before it: a plan
    ("民警将依法当场查处。", False),  # 将 before an adverb: the future
])
def test_a_reply_writing_its_result_as_done_is_flagged(reply, stated):
    assert detect_elements(reply).flags["DONE_STATED"] == int(stated)


def test_a_reply_whose_dates_all_precede_the_message_recounts_background():
    from datetime import datetime

    message = datetime(2019, 6, 1, 9, 30)
    old = "该公司成立于2013年9月24日，五一桥于1959年8月开工建设，2016年开通。"
    assert detect_elements(old, message).feats["time_all_before"] == 1.0
    assert detect_elements(old).feats["time_all_before"] == 0.0  # without the message's time nothing is known
    for recent in ("区城管局于2019年6月3日到现场查看，路灯已修复。", "该公司成立于2013年，区城管局于6月3日到现场查看。",
                   "２０１９年６月３日，区城管局到现场查看。"):
        assert detect_elements(recent, message).feats["time_all_before"] == 0.0, recent


@pytest.mark.parametrize(("reply", "pending"), [
    ("对此，市消防支队已依法立案查处，目前案件正在办理中。感谢您对我们工作的支持！2018年12月10日", True),
    ("您好！关于您反映的问题正在协调处理当中。", True),
    ("目前，三号栋报建审批程序正在办理之中，开发商争取尽快启动建设。", True),
    ("目前整改正在进行中，预计11月15日前完成。", False),  # a time frame
    ("经查，违建正在处理中。目前已全部拆除。", False),  # a result after it
    ("区城管局于6月3日到现场查看，违建正在处理中，已于6月5日拆除。", False),
    ("请到车辆管理所网上业务办理中心办理。", False),  # 办理中心 is a place
    ("该项目夜间超时施工扰民，我局已在行政处罚程序阶段。", True),  # a penalty under way, not imposed
    ("星沙中队已立案调查，正在执法程序中。", True),
    ("已进入竣工验收阶段。", False),  # a stage of the works, not of a case
])
def test_a_reply_ending_on_a_case_still_being_handled_is_flagged(reply, pending):
    assert detect_elements(reply).flags["ENDS_PENDING"] == int(pending)


def test_a_date_before_the_message_is_no_evidence_of_handling_time():
    from datetime import datetime

    reply = "该公司成立于2013年9月24日。2019年6月3日，区城管局到现场查看。"
    kinds = [(s.kind, s.text) for s in detect_elements(reply, datetime(2019, 6, 1)).spans["time"]]
    assert kinds == [("time:before", "2013年9月24日"), ("time:action", "2019年6月3日")]
    assert "time:before" in NOT_EVIDENCE
    assert [s.kind for s in detect_elements(reply).spans["time"]] == ["time:full", "time:action"]  # nothing to compare


@pytest.mark.parametrize("reply", ["自8月26日接到投诉后，我局再次进入现场核实。", "6月3日上午接到工单后，社区网格员到场。"])
def test_the_date_the_unit_took_the_matter_in_dates_an_action(reply):
    assert [s.kind for s in detect_elements(reply).spans["time"]] == ["time:action"]


@pytest.mark.parametrize(("reply", "unit"), [
    ("您反映的问题我局已安排人员处理。", "我局"),
    ("关于噪音问题区环保局于5月3日到现场监测。", "区环保局"),
    ("接到投诉后，次日区城管局执法中队到现场查看。", "区城管局执法中队"),
    ("该项目须待A7县环保局审批后方可开工。", "A7县环保局"),  # the name starts at its place
    ("今年按照西地省政府统一部署开展整治。", "西地省政府"),
    ("我们通过湖南省教育厅核实了您的学籍。", "湖南省教育厅"),
    ("中共A3区委办公室已督促落实。", "中共A3区委办公室"),  # an owner before the place stays
    ("国网F9市供电公司已更换变压器。", "国网F9市供电公司"),
    ("市自然资源和规划局A6区分局已到现场查看。", "市自然资源和规划局A6区分局"),
    ("您好，您反映的问题已转D市交通运输局办理。", "D市交通运输局"),  # once, though two rules find it
])
def test_a_unit_name_does_not_take_in_the_words_before_it(reply, unit):
    assert [s.text for s in detect_elements(reply).spans["org"]] == [unit]


@pytest.mark.parametrize(("reply", "verified"), [
    ("经认真调查核实，该路段路灯线路老化，已于5月3日更换。", ["经认真调查核实"]),
    ("据查，该店已办理营业执照。经我办了解，该店无违规经营行为。", ["据查", "经我办了解"]),
    ("经查实，蒋某具有教师资格证。", ["经查实"]),
    ("经我们实地查勘，兽医站处于长下坡、岔路口，不宜增设站点。", ["经我们实地查勘"]),
    ("经联系区规划局后得知，该地块已规划为商住用地。", ["经联系"]),  # how the answer was established
    ("已经现场检查。", []),
    ("您反映的问题已转区城管局核实处理。", []),  # forwarded: the other unit is to look into it
    ("该案已经查处完毕。", []),  # 已经 is "already", not 经查
    ("我局将进一步调查核实，届时答复您。", []),
    ("经了解，您反映的问题不属于我单位职责范围，请向有关部门反映。", []),  # a form of words before shirking
])
def test_a_phrase_saying_the_unit_looked_into_the_matter_states_the_process(reply, verified):
    spans = detect_elements(reply).spans["process"]
    assert [s.text for s in spans if s.kind == "process:verified"] == verified
    for v in (s for s in spans if s.kind == "process:verified"):  # no plain span repeats a part of it
        assert not any(s.kind == "process" and v.start <= s.start and s.end <= v.end for s in spans)
