"""Direct answers to the question a citizen's title asks (model.answers)."""

import pytest

from model.answers import ANSWER_KIND, direct_answer

ASK = ("咨询A市居住证办理事宜", "请问A市居住证的有效期是多久？到期后怎么办理？")


@pytest.mark.parametrize(("title", "content", "reply", "expected"), [
    (*ASK, "您好！来信收悉。现回复如下：A市居住证有效期为一年。感谢您的来信！", "A市居住证有效期为一年"),
    (*ASK, "网友您好：A市居住证到期后，不需要重新申请，携带居住证到派出所签注即可。", "不需要重新申请"),
    ("请问西环线辅道何时能全线贯通", "西环线两侧辅道何时能全线贯通？",
     "经核实，西环线东辅道目前正在开展征地拆迁工作，预计明年底可完工通车。", "预计明年底可完工通车"),
])
def test_the_clause_that_answers_the_title_question_is_the_evidence(title, content, reply, expected):
    answer = direct_answer(title, content, reply)
    assert answer is not None and answer.kind == ANSWER_KIND
    assert answer.text == expected and reply[answer.start:answer.end] == expected


@pytest.mark.parametrize("reply", [
    "您好！您反映的居住证问题已转市公安局调查处理。",                    # forwarded
    "您好！居住证办理的具体事宜请咨询户籍所在地派出所。",                # sent elsewhere
    "您好！关于居住证能不能续办的问题，我们无法答复。",                  # no answer
    "您好！您的留言已收悉，感谢您对我们工作的支持！",                    # courtesies only
    "您好！可以的。",                                                  # says nothing about what was asked
    "您好！居住证办理不属于我局职责范围。",                              # disowned, not answered
])
def test_forwarding_redirecting_or_off_subject_replies_are_no_answer(reply):
    assert direct_answer(*ASK, reply) is None


def test_a_question_restated_in_the_reply_is_not_its_answer():
    reply = "一、关于居住证能不能续办的问题。二、其他问题另行答复。"
    assert direct_answer(*ASK, reply) is None


def test_only_a_title_that_asks_or_a_consultation_expects_an_answer():
    reply = "A市居住证有效期为一年，到期后需要到派出所签注。"
    assert direct_answer("A市居住证办理", "居住证到期了。", reply) is None
    answer = direct_answer("A市居住证办理", "居住证到期了。", reply, asks=True)  # a ticket typed 咨询
    assert answer is not None and answer.text == "A市居住证有效期为一年"


def test_the_evidence_keeps_the_raw_offsets_of_a_full_width_reply():
    reply = "网友：　　您好！\n\t\tＡ市居住证有效期为一年。"
    answer = direct_answer(*ASK, reply)
    assert answer is not None and reply[answer.start:answer.end] == answer.text == "Ａ市居住证有效期为一年"
