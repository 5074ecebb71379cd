"""Text preparation: normalising, masking personal data, combining title and content, tokenising."""
import pytest

from model.text import combine, default_tokenizer, looks_segmented, mask_pii, normalise, normalise_with_offsets, prepare


def test_normalise_removes_platform_whitespace_and_full_width():
    assert normalise("\n\t\t\tＡ３区　物业费\n\t\t\t太贵！") == "A3区物业费太贵!"
    assert normalise(None) == ""


def test_mask_pii_hides_phones_ids_cards_and_mail():
    text = "手机13912345678，另一个139 1234 5678，座机0731-88886666，身份证43010219800101123X，" \
           "卡号6222021234567890123，邮箱zhang.san@qq.com"
    masked = mask_pii(text)
    for secret in ["13912345678", "139 1234 5678", "88886666", "43010219800101123X", "6222021234567890123", "zhang.san"]:
        assert secret not in masked
    assert masked.count("〔手机号〕") == 2 and "〔身份证号〕" in masked and "〔邮箱〕" in masked


def test_mask_pii_hides_first_generation_15_digit_id_numbers():
    masked = mask_pii("旧身份证430102800101123，新证43010219800101123X")
    assert "430102800101123" not in masked and masked.count("〔身份证号〕") == 2
    assert mask_pii("订单号123456789012345") == "订单号123456789012345"  # no valid birth date inside: kept


def test_mask_pii_keeps_dates_amounts_and_full_width_phone_is_masked():
    assert mask_pii("2020年5月1日拖欠工资35000元") == "2020年5月1日拖欠工资35000元"
    assert "〔手机号〕" in mask_pii("电话１３９１２３４５６７８")


def test_segmented_rows_are_recognised():
    assert looks_segmented("A1 区 A2 区华庭 自来水 好大 一股 霉味 小区 高层 二次 供水")
    assert not looks_segmented("\n\t\t\tA3区大道西行便道，人行道被圈进施工围墙内。\n\t\t\t")
    assert not looks_segmented("")


def test_prepare_combines_masks_and_tokenises():
    doc = prepare("A3区物业乱收费", "物业公司每月收取停车费，我的电话13912345678。")
    assert doc.text == combine("A3区物业乱收费", "物业公司每月收取停车费,我的电话〔手机号〕。")
    assert "13912345678" not in " ".join(doc.tokens)
    assert "A3区" in doc.tokens and "物业公司" in doc.tokens


def test_prepare_uses_given_segmentation():
    doc = prepare("", "A1 区 小区 二次 供水 水箱 长年 不洗")
    assert doc.tokens == ("A1区", "小区", "二次", "供水", "水箱", "长年", "不洗")
    assert doc.text == "A1区小区二次供水水箱长年不洗"


def test_domain_dictionary_keeps_hotline_terms_whole():
    words = default_tokenizer().cut("A5区有人占道经营，农民工被拖欠工资，物业费太高")
    for term in ["A5区", "占道经营", "农民工", "拖欠工资", "物业费"]:
        assert term in words


def test_numbers_written_in_groups_or_brackets_are_masked():
    for text, placeholder in [("身份证430102 19900101 1234", "〔身份证号〕"), ("430102-19900101-123X", "〔身份证号〕"),
                              ("电话(0731)88888888", "〔电话〕"), ("（0731）88888888", "〔电话〕"),
                              ("0731-8888-8888", "〔电话〕"), ("138.1234.5678", "〔手机号〕"), ("138 1234 5678", "〔手机号〕")]:
        masked = mask_pii(text)
        assert placeholder in masked and not any(ch.isdigit() for ch in masked.replace("〔", "").split(placeholder)[-1]), text
    for kept in ("2024年5月3日 09:30", "工单号20240501001", "金额12345.67元", "版本 3.1415926"):
        assert mask_pii(kept) == kept


def test_international_phone_forms_and_addresses_glued_to_chinese_are_masked():
    assert mask_pii("电话008613812345678或0086-138-1234-5678") == "电话〔手机号〕或〔手机号〕"
    assert mask_pii("请联系我abc.d@qq.com谢谢") == "请联系我〔邮箱〕谢谢"


def test_the_address_pattern_looks_at_each_at_sign_once():
    # A local part is at most 64 characters and starts where the one before cannot belong to it: a long run of
    # letters before an "@" is not an address, and is not scanned again from every position (which took seconds).
    assert mask_pii("x" * 70 + "@qq.com") == "x" * 70 + "@qq.com"
    assert mask_pii("中" * 20000 + "@") == "中" * 20000 + "@"
    assert mask_pii("a" * 20000 + "@") == "a" * 20000 + "@"


@pytest.mark.parametrize("raw", [
    "情况属实……已修复。",  # 省略号 alone: NFKC makes it "......", as normalise does
    "　　经查，ＡＢ小区路灯已修复。\u200b",
    "区城管局于6月3日到现场查看。",  # nothing to do
    "Ⅻ号楼，㎡\t面积　",
])
def test_normalising_with_offsets_agrees_with_normalise_and_points_back_into_the_raw_text(raw):
    text, offsets = normalise_with_offsets(raw)
    assert text == normalise(raw)
    if offsets is None:
        assert text == raw
    else:
        assert len(offsets) == len(text) and offsets == sorted(offsets)
        for char, index in zip(text, offsets):
            assert char in normalise(raw[index])
