"""Phrase lists and patterns behind the reply auditor's rules (答复意见五要素、套话、转办、推诿、待办).

Each list is what the offices' rules name or what replies in the public data use; the detectors in
:mod:`model.elements` read them, the learned models weigh what the detectors find.
"""

import re

HAN = r"\u4e00-\u9fff"
# org: unit suffixes (longest first so 街道办事处 wins over 街道/办)
ORG_SUFFIXES = (
    "街道办事处", "人民政府", "委员会", "管委会", "办事处", "办公室", "指挥部", "管理处", "执法局", "分局", "大队", "中队",
    "支队", "派出所", "司法所", "财政所", "国土所", "供电所", "管理所", "卫生院", "服务中心", "中心", "居委会", "村委会",
    "社区", "街道", "政府", "公司", "医院", "法院", "检察院", "学院", "研究院", "设计院", "学校", "小学", "中学",
    "救援站", "消防站", "救援队", "供电站", "水站", "卫生站", "服务站", "管理站", "质安站", "监督站", "监测站", "检测站", "安监站", "水利站", "农技站",
    "城管站", "文化站", "经管站", "集团", "银行", "党委", "镇", "乡", "局", "委", "厅", "办", "部门", "单位",
    "项目部", "监督所", "事务所", "研究所", "检测所", "疾控所", "税务所", "工商所", "房管所", "林业所", "水务所", "城管所",
    "图书馆", "文化馆", "博物馆", "档案馆", "纪念馆", "体育馆", "科技馆", "美术馆", "科",
)
# a suffix is not a unit when followed by these (局面, 委托, 办理, 镇上 ...)
ORG_SUFFIX_NOT_BEFORE = {"局": "面势部限", "委": "托屈员婉", "办": "理法公事学案结复件好", "镇": "上里内", "乡": "下村亲",
                         "中心": "城区路", "社区": "内里",
                         "科": "学技研室普目长员"}
ORG_AGENT_BEFORE = re.compile(r"(?:经|由|经过|组织|安排|责成|会同|联合|要求|督促|协调|指派|委托|派|请|转|转至|交|交由|已转|随即|立即)$")
ORG_AGENT_AFTER = re.compile(r"^(?:[^。，,；;]{0,4})(?:已|于|立即|迅速|及时|组织|工作人员|执法|到|赶赴|前往|进行|安排|联合|会同|调查|核实|现场|对|派|将|高度重视|收到|接到|认真|经|多次|再次|共同|积极|牵头|负责|与|和|及|承诺|表示|回复|答复|决定|同意)")
ORG_LOCATION_BEFORE = re.compile(r"(?:位于|地处|坐落|在|至|往|从|到|距|靠近|毗邻|属于|隶属|归)$")
ORG_PERSONS = (
    "网格员", "工作人员", "执法人员", "执法队员", "民警", "干警", "交警", "村干部", "社区干部", "村支两委", "负责人",
    "工作组", "调查组", "专班", "技术人员", "维修人员", "书记", "镇长", "乡长", "局长", "主任", "站长", "所长", "队长",
)
# Where a unit's place begins: an anonymised place code of the public data (A7县, L12市), a province, or a municipality.
# A unit name walked back from its suffix that holds one after other words (通过A7县规划局, 今年按照西地省政府) starts
# there, unless a place or an owner comes first (市自然资源和规划局A6区分局, 中共A3区委, 国网F9市供电公司).
PROVINCES = ("河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省",
             "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省",
             "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "北京市", "天津市",
             "上海市", "重庆市", "西地省")  # 西地省: the public data's anonymised province
ORG_PLACE_START_RE = re.compile(r"[A-Z]\d{0,2} ?(?:市|区|县|州)|" + "|".join(PROVINCES))
ORG_PLACE_OWNER_RE = re.compile(r"[省市县区州镇乡]|^中共|^国网|集团")
ORG_SELF_PREFIX = ("我", "本", "该", "贵")        # 我局/本局/该局 -> self unit (weaker than a named unit)
ORG_GENERIC_PREFIX = ("相关", "有关", "职能", "主管", "上级", "各", "其他", "其它", "业务", "责任", "对口")
ORG_GENERIC_EXACT = ("行政",)  # 行政部门 is generic, 区综合行政执法局 is a unit
# a verb ends a unit name walked backwards: 会同县交警大队 → 县交警大队; after 拨打/约谈 … the unit is the object
# a unit the citizen is sent to (请向…咨询, 可直接到…办理, 建议您联系…): it did not handle the matter
ORG_REFERRAL_RE = re.compile(r"(?:请|可|可以|建议|欢迎|需|须)(?:您|你)?[^。，,；;]{0,6}?(?:咨询|联系|致电|拨打|向|到|前往|去)")
ORG_NAME_STOP_VERBS = re.compile(r"会同|委托|组织|联系|通知|配合|邀请|督促|要求|协调|拨打|致电|约谈|责令|起诉|举报|咨询")
ORG_OBJECT_VERBS = ("拨打", "致电", "约谈", "责令", "起诉", "举报", "咨询")
# words no unit name holds: the walk back from a suffix stops after them (问题我局 → 我局; 次日社区 leaves a bare 社区)
ORG_NAME_STOP_WORDS = re.compile(r"问题|情况|事宜|事项|次日|当日|当天|同日|翌日|随后|之后|立即|迅速|目前|近日|日前")
# names ending so are rooms and places, not units (家客厅, 办事大厅, 2026年度城乡)
BOOK_TITLE_RE = re.compile(r"《[^》]{1,60}》")  # a law's, document's or licence's name
ORG_NOT_UNIT_ENDINGS = ("客厅", "大厅", "餐厅", "展厅", "舞厅", "歌厅", "城乡", "乡镇", "城镇", "村镇", "集镇")
# characters that cannot be part of a unit name: trim the greedy prefix after the last of them
# 和 ends a name walked backwards (区城管局和社区) except inside the agencies' own names (住房和城乡建设局 …)
ORG_AND_HEADS = ("住房", "人力资源", "发展", "工业", "文化", "自然资源", "卫生", "民族", "教育", "商务", "农业", "科学技术")
ORG_TRIM_CHARS = set("的已经由向与对和及据在将请转至到从被让为是了给并等您你他她其此这那就也都即又但而或者把以后前时内中上下里于位归属有关相午晚早")
ORG_NOT_UNITS = {"用人单位", "施工单位", "建设单位", "开发单位", "交办", "转办", "督办", "承办", "举办", "开办", "包办", "创办",
                 "主办", "协办", "代办", "查办", "催办", "领办", "兴办", "申办", "来办", "去办", "好办", "怎么办", "难办",
                 "乡镇", "城乡", "市镇", "村镇", "集镇", "城镇", "本乡", "老乡", "家乡", "回乡", "下乡", "当局", "全局",
                 "大局", "格局", "布局", "结局", "开局", "邮局", "书局", "骗局", "党委", "两委", "村支两委", "纪委",
                 "本科", "专科", "学科", "外科", "内科", "儿科", "妇科", "眼科", "牙科", "骨科", "工科", "理科", "文科", "前科",
                 "百科", "预科", "全科", "分科", "转科"}

# time
TIME_FULL_DATE = r"(?:(?:19|20)\d{2}年)?(?:\d{1,2}|元|[一二三四五六七八九十]{1,2})月(?:\d{1,2}|[一二三四五六七八九十]{1,3})[日号](?:上午|下午|晚上|中午|凌晨|傍晚)?"
TIME_NUMERIC_DATE = r"(?:19|20)\d{2}[.\-/](?:0?[1-9]|1[0-2])[.\-/](?:0?[1-9]|[12]\d|3[01])(?!\d)"
TIME_DAY_PART = r"(?<!\d)\d{1,2}[日号](?:上午|下午|晚上|中午|凌晨|晚|早上)"
# 5.3下午 / 5.3日: month.day as units write it in a hurry; a bare 5.3 is a number (3.5公里)
TIME_DOTTED_DAY = r"(?<![\d.])(?:0?[1-9]|1[0-2])\.(?:0?[1-9]|[12]\d|3[01])(?:[日号](?:上午|下午|晚上|中午|凌晨|傍晚)?|上午|下午|晚上|中午|凌晨|傍晚)"
TIME_YEAR_MONTH = r"(?:19|20)\d{2}年(?:\d{1,2}|元)月(?:份|初|中旬|底|下旬|上旬|末)?"
TIME_MONTH_ONLY = r"(?<![\d年])(?:\d{1,2}|元)月(?:份|初|中旬|底|下旬|上旬|末)"
TIME_YEAR_ONLY = r"(?:19|20)\d{2}年(?!\d)"
TIME_RELATIVE = (
    "当天", "当日", "次日", "同日", "第二天", "翌日", "当晚", "当天上午", "当天下午", "同一天", "收到后当天",
    "今天上午", "今天下午", "昨天", "前日", "上周", "本周", "今晚", "今天", "当月", "次月",
)
TIME_RELATIVE_RE = r"(?:本月|上月|今年|去年|同月)\d{1,2}[日号]|(?:接到|收到|获悉|接件|受理)[^。，,；;]{0,14}?后(?:当天|当日|次日|第二天|\d+(?:个工作日|天|日|小时)内)"
TIME_VAGUE = ("立即", "立刻", "近期", "近日", "迅速", "及时", "第一时间", "随即", "马上", "尽快", "目前", "现已")
# a date is the citizen's message date (not handling) if followed by one of these within a few characters
TIME_MESSAGE_AFTER = re.compile(r"^[^。，,；;]{0,6}?(?:在[^。，,；;]{0,10}(?:平台|栏目|信箱|网|专栏)|(?:的|所)?(?:来信|留言|帖|信件|来电|致信|写信|发帖|发表的))")
# ("您好！5月18日，…" opens the reply: the greeting is not the citizen's date)
TIME_MESSAGE_BEFORE = re.compile(r"(?:您(?!好)|你(?!好)|网友|来信人|信访人|市民|投诉人|网民)[^。，,；;！!：:]{0,2}(?:于|在)?$")
TIME_POLICY_AFTER = re.compile(r"^(?:起|之前|以前|前|至|到|止|以后|之后|后|开始施行|施行|起施行|实施|起实施|[^。，,；;]{0,12}?(?:发布|下发|印发|出台|颁布|审议|通过|施行|实施|修订|修正|文件|通知|公告|《|规定|办法|条例|招生|报名|截止))")
# "从6月16日开始停靠", "于7月10日至7月16日进行了公示": a dated start or span of the unit's own action, not a policy date
START_ACTION_AFTER = re.compile(r"^(?:起|开始|至[^。，,；;]{1,12}?)[^。，,；;]{0,6}?(?:对|进行|开展|组织|停靠|开通|检测|巡查|整治|施工|公示|调整)(?![^。，,；;]{0,12}(?:施行|实施|执行))")
# "于5月3日上午到现场查看", "5月6日前往小区检查": a date followed by the unit going somewhere to act is an action date
ARRIVAL_AFTER = re.compile(r"^(?:[上下]午|晚上|当天|当日)?(?:到|至|前往|赶赴|赶到)[^。，,；;]{0,10}?(?:现场|实地|小区|社区|村|该|涉事|事发|"
                           r"查看|检查|核实|核查|走访|调查|察看|了解|处置|处理|检测|开展)")
# "自8月26日接到投诉后，我局…": the date the unit took the matter in starts its handling, whatever 自 before it says
RECEIPT_AFTER = re.compile(r"^(?:[上下]午|晚上|当天|当日)?(?:接到|收到|受理)(?:[^。，,；;]{0,8}?(?:投诉|举报|反映|工单|交办|转办|件))")
TIME_POLICY_BEFORE = re.compile(r"(?:根据|依据|按照|自|从|截至|截止|于?每年|每月|每年的|须在|需在|应在|前于)$")
GREETING_START = re.compile(r"^(?:尊敬的|亲爱的|网友|“|\"|UU|您好|你好|来信人|信访人|市民|[^。！!]{0,16}网友)")

# process
PROCESS_TERMS = (
    "现场查看", "实地查看", "现场察看", "实地察看", "实地勘察", "现场勘查", "现场勘察", "现场查勘", "现场核查", "现场检查",
    "实地核查", "实地调查", "实地了解", "现场调查", "调查核实", "核实", "调查", "走访", "约谈", "召开", "协调会", "协调",
    "检测", "监测", "查阅", "调阅", "查询", "执法检查", "检查", "巡查", "排查", "督查", "会商", "对接", "赶赴", "到现场",
    "赶到现场", "前往", "深入", "摸排", "取证", "测量", "丈量", "复查", "核查", "询问", "座谈", "比对", "审核", "勘查",
    "查看", "察看", "经查", "据查", "了解情况", "进行了解", "研究", "调度", "抽检", "采样", "暗访", "蹲守", "联合执法",
    "下达", "责令", "约见", "立案", "处罚", "清理", "整治", "维修", "修复", "查处", "拆除",
    "经查询", "查询了",  # how a 咨询 answer was established (RUBRIC_AUDIT: 查询了政策/系统); 经查 alone would win at 经
)
# "将调查", and with an adverb between: "将认真研究", "将进一步核实", "拟及时调查"
PROCESS_FUTURE_BEFORE = re.compile(r"(?:将|拟|会|要|准备|计划|继续|进一步|请|建议|需)(?:认真|及时|尽快|积极|进一步|依法|全力|抓紧|加紧|再次|深入|继续|组织)?$")
# "将于近期组织人员到现场核查": the clause plans the action further ahead ("已于…将…退还" is done)
PROCESS_FUTURE_CLAUSE = re.compile(r"(?<!已)(?:将|拟|计划|准备)(?:于|在|尽快|近期|组织|安排|派)")
# "经核实", "经认真调查核实", "据查", "经查实", "经了解", "经我办了解": the reply says the unit looked into the matter, which
# the rubric's 办理过程 is (调查核实). The gold dev annotators mark process for 15 of the 17 replies with such a phrase
# (silver: 70 of 81); the process model read 5 of them absent. So do a look on the spot and an inquiry made to
# establish the answer (经实地查勘, 经现场核查, 经走访了解, 经咨询区建设局, 经联系区规划局后得知): the rubric counts "how the
# answer was established"; 14 of the 16 silver replies with only such a phrase have process (dev: 1 of 1).
VERIFIED_RE = re.compile(r"(?<![已曾神])(?:经(?:过)?(?:认真|进一步|深入|详细)?(?:调查)?核实|据查|经查实?|经了解"
                         r"|经我[局办委司队]?(?:调查|了解|核实)|经调查"
                         r"|经(?:过)?(?:我们|我局|我办|我委|我司|我队|工作人员|执法人员)?(?:实地|现场)(?:查勘|勘察|勘查|查看|踏勘|调查|核查|检查|走访)"
                         r"|经(?:过)?(?:咨询|联系|询问|走访|排查|检查|查询|调取))")
ACK_TERMS = ("已收悉", "收悉", "已收到", "收到", "已阅", "已获悉", "悉知", "已悉", "感谢", "谢谢", "高度重视", "已知悉")
# forwarding (已转…调查处理); 转移/转学/转账… are not (社保关系转移可到社保中心办理)
FORWARD_RE = re.compile(
    r"(?:已|将|予以|会)?(?:转交|转至|转给|转到|转办|交办|转送|转由|转请|转相关|转有关|转(?![移学账让入出正换变型接车乘租岗业包])[^。，,；;]{1,14}(?:核查|办理|处理|调查|办复|答复|回复|关注|核实|予以))"
    r"|已转(?![变化型让])|已安排[^。，,；;]{0,10}(?:处理|调查|核实|跟进)|已交[^。，,；;]{0,10}(?:处理|调查|办理)")
YEAR_MONTH_RE = re.compile(r"(\d{4})年(?:(\d{1,2})月)?")  # the year (and month) a date gives
PENDING_RE = re.compile(
    r"正在(?:处理|调查|核实|研究|协调|办理|推进|进行|加快|积极|紧张|组织|跟进|对接|制定|完善|审核|审批)|将(?:进一步|继续|尽快|会同|加大|按照|依法|对|积极|认真|及时|予以|组织|督促|协调|研究|于|根据)|届时"
    r"|下一步|拟(?:将|于|对)?|待[^。，,；;]{1,20}后|争取|计划于?|预计|处理结果.{0,6}(?:反馈|告知|公开)|后续.{0,8}(?:反馈|告知|答复)"
    r"|目前处在|正处在|尚未|还未|暂未|跟进中|处理中|调查中|研究中|协调中")
# result: completed outcomes
RESULT_DONE_RE = re.compile(
    r"(?:(?:已|已经|已于[^。，,；;]{0,14}?|均已|现已|目前已|全部|并已|已全部|已基本|顺利)(?:自行|全部|及时|按时|如数|足额|全额|依法)?"
    r"|已(?:于[^。，,；;]{0,14}?)?将(?:(?!转|交)[^。，,；;]){1,20}?"  # 已将…转相关部门处理 is forwarding, not a result
    r"|(?:当场|当即)(?:予以|将[^。，,；;]{1,12}?)?)"  # 民警将发现的赌博机当场销毁
    r"(?:转入|撤回|移至|修复|维修|修好|拆除|拆|退还|退回|退费|返还|整改(?:完毕|到位|完成)?|解决|恢复|发放|办结|清理|清除|清运|完成|完工|处理完毕|处理到位|更换|"
    r"安装|开通|落实|疏通|补发|补缴|支付|兑现|签订|签署|关停|停止|取缔|处罚|罚款|撤除|销毁|收缴|移除|撤离|到位|通车|通水|通电|搬离|搬迁|铺设|硬化|"
    r"建成|竣工|消除|补办|办理|报销|批复|审批|纳入|列入|查处|暂扣|收回|规范|封堵|关闭|停业|赔偿|调整|改正|改造|拨付|到账|发还|归还|结清|"
    r"达成|调解|化解|撤销|注销|更正|纠正|公示|公布|开展|实施|投入使用|启用|恢复正常|拆迁|安置|查封|扣押|没收|约谈|责令|下达|告知|解释|"
    r"启动|施工|开工|处理|畅通|好转|缓解|改善|退款|收到退款|收到赔偿|收到补偿)")
# states that close the matter (shown as evidence) and weaker answer words (counted only)
RESULT_STRONG_STATE_TERMS = (
    "复查合格", "验收合格", "检测合格", "检测结果", "符合标准", "达标", "恢复正常", "正常运行", "正常使用", "已无", "不再",
    "整改完毕", "清理完毕", "清理干净", "处理完毕", "处理到位", "全部完成", "已完成", "已办结", "办结", "得到解决", "问题已解决",
    "妥善解决", "圆满解决", "得到缓解", "得到改善", "得到有效", "明显好转", "明显改善", "明显降低", "明显减少", "明显下降",
    "恢复通行", "通行顺畅",
    "表示满意", "表示认可", "表示理解", "达成一致", "达成协议", "调解协议", "不属实", "属实",
)
RESULT_STATE_TERMS = RESULT_STRONG_STATE_TERMS + (
    "情况不实", "不存在", "未再", "确认已收到", "符合条件", "不符合", "符合", "不予", "可以", "不能", "不可以", "无法", "不得", "应当", "须", "需要", "需", "无需", "不需要",
    "属于", "不属于", "没有", "未发现", "按规定", "规定", "结论", "处理结果", "处理意见", "答复如下", "具体如下",
)
RESULT_POLICY_RE = re.compile(r"(?:根据|依据|按照|依照|按)[^。；;]{0,40}?(?:《[^》]{2,40}》|规定|政策|文件|办法|条例|标准|要求)")
RESULT_NEG_RE = re.compile(r"(?:只|仅)?(?:已责令|已要求|已督促|已通知|已告知|已转交|已交办|已安排|已移交)(?![^。；;]{0,30}(?:完毕|到位|已|复查|合格))")
SHIRK_RE = re.compile(
    r"不属(?:于)?(?:我|本)[^。，,；;]{0,8}(?:职责|管辖|职能|受理|范围)|非(?:我|本)[^。，,；;]{0,6}(?:职责|管辖|职能)|无权|不在[^。，,；;]{0,8}(?:职责|管辖|范围)"
    r"|(?:我们|我局|我厅|我办|本单位)?无法(?:提供|答复|回复|查询|处理|直接答复)|不掌握|请(?:您|你)?[^。，,；;]{0,12}(?:咨询|联系|反映|申请|投诉|起诉|到|向)|建议(?:您|你)?[^。，,；;]{0,16}(?:咨询|联系|反映|申请|投诉|起诉|前往|到|向|通过)")
# A unit saying a matter is not its own (the strong form of SHIRK_RE), and what makes that a proper referral rather
# than 推诿: a named responsible unit after it and a basis (a law, a rule, the division of duties).
DISOWN_RE = re.compile(r"不属(?:于)?(?:我|本)[^。，,；;]{0,8}(?:职责|管辖|职能|受理|范围)|非(?:我|本)[^。，,；;]{0,6}(?:职责|管辖|职能)"
                       r"|不在[^。，,；;]{0,8}(?:职责|管辖|受理)范围|无权(?:处理|受理|管辖|查处)")
GENERIC_UNIT_RE = re.compile(r"(?:相关|有关|其他|其它|职能|主管|上级|对应)(?:部门|单位|机构)|其他渠道|我局|我单位|本单位|我办|我委")
BASIS_RE = re.compile(r"根据|依据|按照|依照|《[^》]{2,40}》|第[一二三四五六七八九十百零\d]+条|规定|职责分工|三定方案|法律|条例|办法")
# contact
# phrases that state a contact (shown as evidence), then weaker words that only hint at one (counted)
CONTACT_STRONG_TERMS = (
    "电话联系", "电话沟通", "电话回访", "电话告知", "电话解释", "致电", "通过电话", "与您联系", "与你联系", "与您取得联系", "与其联系", "联系了", "联系上", "当面沟通",
    "当面解释", "当面", "面对面", "上门", "入户", "回访", "沟通解释", "解释说明", "耐心解释", "做好解释", "进行解释", "作了解释", "做了解释", "向其解释", "向当事人",
    "向网友", "向投诉人", "向来信人", "与当事人", "与投诉人", "与来信人", "与网友", "短信告知", "短信通知", "短信回复", "微信告知", "微信联系", "微信沟通", "取得联系",
    "取得了联系",
)
CONTACT_TERMS = CONTACT_STRONG_TERMS + (
    "与业主", "与家属", "与本人", "与其本人", "与您", "与你", "与他", "与她", "约见", "表示满意", "表示理解", "表示认可", "表示同意", "表示感谢", "满意", "认可",
    "谅解", "达成一致", "签字确认", "告知当事人", "告知投诉人", "告知其", "告知了", "已告知", "进行了沟通", "沟通", "协商", "谈话", "面谈", "见面",
)
# a call or a talk with the citizen written as a phrase: "电话向您解释说明了", "向当事人说明", "您表示满意"
_PARTY = r"(?:您|你|其|当事人|投诉人|来信人|来电人|反映人|举报人|信访人|留言人|网友|发帖人?|业主|家属|家长|本人|村民|居民|用户)"
CONTACT_TALK_RE = re.compile(
    r"(?:电话|上门|短信|微信)[^。，,；;]{0,6}?(?:告知|解释说明|解释|说明|反馈|答复|沟通|通知|联系|核实|确认)"
    r"|(?:向|与|跟|和|同)(?:当地|该|部分|相关)?" + _PARTY
    + r"[^。，,；;]{0,4}?(?:解释说明|解释|说明|告知|反馈|沟通|致歉|道歉|交流|联系|协商|面谈|见面)"
    r"|(?:告知|通知|回访|走访|约见|邀约|联系)(?:了)?(?:该|这两位|这些)?(?:当事人|投诉人|来信人|来电人|反映人|举报人|信访人|留言人|网友|发帖)"
    r"|(?:您|你|当事人|投诉人|来信人|来电人|信访人|网友|业主|家属|家长|用户|其)(?:对[^。，,；;]{0,8})?(?:表示|均表示|签字)(?:满意|理解|认可|同意|谅解|接受)"
    r"|(?:您|你|当事人|投诉人|来信人|来电人)(?:已)?确认")
# Who a contact phrase must name to state that the citizen was contacted (the complaining party: 投诉人, 发帖的业主代表,
# 当地村民, 家长), and what before it in the clause makes it a plan, a wish, a failure or somebody else's talk (开发商正与
# 业主协商, 督促物业与业主沟通) rather than a contact the unit made.
CITIZEN_RE = re.compile(r"您|你|当事人|来信人|来电人|反映人|投诉人|举报人|留言人|网友|发帖|信访人|市民|群众|先生|女士|家长|业主|村民|居民|用户")
# 将 is the future (将向您反馈) unless it is 把's (已将结果告知了您): then 已 comes before it or 了 after the span.
CONTACT_PLANNED_RE = re.compile(r"(?<!已)将|会(?!同)|请|如(?!实|期)|便于|以便|应当|可(?!能)|需|拟|待|届时|完成后|后续|下一步")
CONTACT_BY_OTHERS_RE = re.compile(r"开发商|物业|公司|企业|商家|督促|要求|责令")
CONTACT_NEGATED_RE = re.compile(r"无法|未能|没能|未|没有|不能")
CONTACT_FAILED_AFTER_RE = re.compile(r"无人接听|未接听|未接通|没有接通|无法接通|联系不上|未能联系|关机|停机|空号")
CLAUSE_MARKS = "，。；;,！!？?\n"
CONTACT_FUTURE_RE = re.compile(r"(?:请|欢迎|如有|如您|可|可以|您可|你可|可直接|直接)[^。；;]{0,12}$")
# relevance / demands
DEMAND_CUES = ("请", "要求", "希望", "能否", "能不能", "可否", "何时", "什么时候", "为什么", "为何", "是否", "怎么", "如何",
               "恳请", "建议", "呼吁", "望", "盼", "吗", "呢", "？", "?", "多少", "哪里", "哪个", "有没有", "帮忙", "解决")
SENT_SPLIT = re.compile(r"[。！!？?；;\n]+")
BIGRAM_STOP = {"您好", "你好", "谢谢", "领导", "问题", "反映", "希望", "请问", "我们", "你们", "情况", "相关", "有关", "部门",
               "政府", "现在", "一个", "这个", "没有", "可以", "已经", "进行", "如下", "回复", "留言", "网友", "感谢", "工作",
               "支持", "关心", "监督", "理解", "尊敬", "是否", "什么", "为什么", "能否", "要求", "这样", "因为", "所以", "但是",
               "而且", "还是", "以及", "关于", "对于", "目前", "就是", "不是", "是不", "什么时", "时候", "收悉"}
SIGNOFF_TAIL_CHARS = 40
TAIL_CHARS = 150  # the conclusion of a reply: where outcomes (or only promises) are stated  # a unit name within the last N chars (before an optional date) counts as sign-off

# ---------------------------------------------------------------------------------------------------------------
# Compiled regexes
# ---------------------------------------------------------------------------------------------------------------
ORG_SUFFIX_RE = re.compile("|".join(sorted(ORG_SUFFIXES, key=len, reverse=True)))
ORG_NAME_CHARS = re.compile(rf"[{HAN}A-Za-z0-9]")
# 排队长度 and 班主任 hold a title's characters without naming a handler
_ORG_PERSON_PATTERNS = {"队长": "(?<!排)队长(?!度)", "主任": "(?<!班)主任"}
ORG_PERSON_RE = re.compile("|".join(_ORG_PERSON_PATTERNS.get(p, p) for p in sorted(ORG_PERSONS, key=len, reverse=True)))
PLACE_RE = re.compile(rf"(?:[A-Z]\d{{0,2}}(?:市|区|县)|[{HAN}]{{1,6}}(?:省|市|区|县|镇|乡|街道|村|社区)|(?:省|市|区|县|镇|乡))")
DATE_RES = (
    ("full", re.compile(TIME_FULL_DATE)),
    ("full", re.compile(TIME_NUMERIC_DATE)),
    ("daypart", re.compile(TIME_DAY_PART)),
    ("daypart", re.compile(TIME_DOTTED_DAY)),
    ("yearmonth", re.compile(TIME_YEAR_MONTH)),
    ("month", re.compile(TIME_MONTH_ONLY)),
    ("year", re.compile(TIME_YEAR_ONLY)),
    ("relative", re.compile("|".join(sorted(TIME_RELATIVE, key=len, reverse=True)) + "|" + TIME_RELATIVE_RE)),
)
VAGUE_RE = re.compile("|".join(TIME_VAGUE))
PROCESS_RE = re.compile("|".join(sorted(PROCESS_TERMS, key=len, reverse=True)))
STRONG_PROCESS = set(PROCESS_TERMS[:40]) | {"经查询", "查询了"}
ACK_RE = re.compile("|".join(sorted(ACK_TERMS, key=len, reverse=True)))
RESULT_STATE_RE = re.compile("|".join(sorted(RESULT_STATE_TERMS, key=len, reverse=True)))
STRONG_STATE = set(RESULT_STRONG_STATE_TERMS)
CONTACT_RE = re.compile("|".join(sorted(CONTACT_TERMS, key=len, reverse=True)))
STRONG_CONTACT = set(CONTACT_STRONG_TERMS)
PHONE_RE = re.compile(r"(?:电话|热线|致电|拨打)[:：]?[^。；;]{0,12}?\d{3,}|〔电话〕|〔手机号〕|\d{4}-\d{7,8}|0{4}-0{4,}")
ACTION_NEAR_RE = re.compile(
    r"(?:到|赶赴|前往|组织|召开|进行|开展|对|与|向|下达|完成|开工|完工|施工|发放|清理|拆除|修复|调查|核实|查看|检查|约谈|联系|"
    r"立案|处理|处罚|复查|验收|签订|支付|上门|走访|回访|协调|会商|整改|安装|更换|恢复|启动|实施|办理|受理|交办|召集|送达|答复|告知|沟通)")
FWD_TARGET_RE = re.compile(r"(?:已转|转至|转交|转给|交由|转)((?:[A-Z]\d{0,2}|本|该)?(?:市|区|县)(?:[^。，,；;]{0,8}?(?:局|委|办|中心|公司))?)(?=调查|核|办|处理|，|,|。|$)")
FWD_CLAUSE_RE = re.compile(r"转|交由|交办|交相关|交有关|移交|交[A-Z]|要求[^。，,；;]{0,12}(?:对|进行)")
_BOILERPLATE = (  # (words one of which each pattern needs, the pattern): the check skips most patterns cheaply
    (("您好", "你好"), r"^[^。！!：:]{0,30}?(?:您好|你好)[!！,，:：。]?"),
    (("收悉", "收到", "获悉", "阅悉", "知悉", "已阅"),
     r"(?:您|你)?(?:的|所)?(?:留言|来信|来邮|信件|问题|情况|诉求|咨询|意见|建议|帖子?)?(?:我们|我局|我办)?(?:已)?(?:收悉|收到|获悉|阅悉|知悉|已阅)[!！,，。]?"),
    (("如下",), r"(?:现|特|经[^。，,]{0,10})?(?:将|就|把)?[^。！!]{0,30}?(?:回复|答复|说明|报告|汇报)如下[:：]?"),
    (("感谢", "谢谢", "欢迎", "祝"), r"(?:衷心|非常|十分)?(?:感谢|谢谢)[^。！!]{0,30}[。！!]?|欢迎[^。！!]{0,30}[。！!]?|祝[^。！!]{0,12}[。！!]?"),
    (("有", "电话"), r"(?:如|若)(?:您|你)?(?:还)?有[^。]{0,40}[。]?|(?:联系|咨询|举报|投诉)?电话[:：]?[\d\-—〔〕电话手机号]*"),
    (("高度重视",), r"[^。，,]{0,12}高度重视[,，。]?"),
)
_BOILERPLATE_RES = tuple((words, re.compile(pattern)) for words, pattern in _BOILERPLATE)


def strip_boilerplate(text: str) -> str:
    """The text without greetings, acknowledgements, 'reply as follows', thanks, offers to call and 高度重视."""
    for words, pattern in _BOILERPLATE_RES:
        if any(word in text for word in words):
            text = pattern.sub("", text)
    return text
ANSWER_RE = re.compile(r"可以|不能|不可|不予|不宜|暂不|无需|不需|需要|须|应当|应|符合|不符合|属于|不属于|即可|没有|未发现|不存在|属实|不实|为|是|已|确定|明确|决定|同意|规定")
# direct answers (model.answers): a title that asks, the clause of the reply that answers it, and what is no answer
ASKS_RE = re.compile(r"咨询|请问|何时|什么时候|是否|能否|能不能|可否|可不可以|怎么|怎样|如何|为什么|为何|有没有|多少|哪里|哪些|吗|[？?]")
WHEN_ASKS_RE = re.compile(r"何时|什么时候|啥时候|多久|哪年|几月")
ANSWER_CLAUSE_RE = re.compile(r"可以|不能|不可以|不可|不予|无需|不需要?|只需|即可|需要?|须|应当|符合|不符合|属于|不属于|没有|暂无"
                              r"|暂没有|尚无|不存在|有效期|规划为|不会|为[^。，,；;]{0,6}(?:用地|标准|年|元|天|个月)")
WHEN_ANSWER_RE = re.compile(r"(?:预计|计划|将于|定于|拟于|力争|争取)[^。，,；;]{0,20}?(?:\d{4}年|\d{1,2}月|年底|年内|月底|上半年|下半年"
                            r"|春季|秋季|明年|今年|年前|前)")
NO_ANSWER_RE = re.compile(r"无法|不能(?:具体|直接|明确)?答复|暂不能|不掌握|请[^。，,；;]{0,12}(?:咨询|联系|致电|拨打|提供)"
                          r"|建议[^。，,；;]{0,16}(?:咨询|联系|致电|拨打|登录|访问)"
                          r"|可(?:以)?(?:向|到|致电|拨打|咨询|登录)[^。，,；;]{0,20}(?:咨询|了解|询问|查询)")
# a message that only thanks (致…的感谢信, 感谢…为民解忧): a title that thanks and a message that asks for nothing
PRAISE_TITLE_RE = re.compile(r"感谢|表扬|致谢|点赞|赞扬|锦旗|感恩")
PRAISE_ASKS_RE = re.compile(r"希望|请求|恳请|要求|尽快|能否|能不能|可否|何时|什么时候|为什么|为何|怎么|如何|投诉|举报|反对|[？?]"
                            r"|(?<![申邀聘])请")
ORDER_RE = re.compile(r"责令|要求[^。，,；;]{0,10}(?:整改|停止|拆除|处理)|督促|限期|通知[^。，,；;]{0,6}(?:整改|停止)|将[^。，,；;]{0,8}(?:查处|处理|整改|解决|研究|考虑)")
FUTURE_RE = re.compile(r"将|会|拟|计划|争取|下一步|今后|尽快|待|准备|预计|正在|继续")
PAST_RE = re.compile(r"已|了|过|完毕|完成|结束|办结|经[^。，,]{0,8}(?:核实|调查|查)")
GENERIC_ORG_RE = re.compile(r"(?:相关|有关|职能|主管)(?:部门|单位)")
DEMAND_CUE_RE = re.compile("|".join(map(re.escape, sorted(DEMAND_CUES, key=len, reverse=True))))
TRAILING_DATE_RE = re.compile(
    r"(?:(?:19|20)\d{2}[年.\-/]\d{1,2}[月.\-/]\d{1,2}[日号]?|(?:19|20)\d{2}年\d{1,2}月|\d{1,2}\.\d{1,2})[。.]?$")

# The matter's status said to be still under way (目前案件正在办理中, 正在协调处理当中, 相关手续正在办理中): a reply that
# ends on it gives no result (the rubric: "正在协调处理中" is no reply, 已立案 with no confirmed effect no result). An
# enforcement case still in its procedure (已在行政处罚程序阶段, 正在执法程序中) is one too: no penalty is imposed yet ...
PENDING_STATUS_RE = re.compile(
    r"(?:正在|仍在|尚在|还在)(?:依法|积极|进一步)?(?:办理|处理|调查|侦办|审理|协调|核实|核查|研究|跟进)"
    r"|(?:办理|处理|调查|侦办|审理|协调|核实|核查|研究|跟进)(?:之中|当中|中)(?!心|学|国)"
    r"|(?:已在|正在|处于|处在|已进入|进入)[^。，,；;]{0,6}?(?:处罚|执法|侦查|诉讼|审理)程序")
# ... unless its sentence gives a time frame, which with the reasons makes a result (预计11月15日前完成, 争取春节前通车)
TIME_FRAME_RE = re.compile(r"预计|前完成|之前|以前|月底|年底|月初|月内|日前|日内|天内|\d+月|[一二三四五六七八九十]月|春节|年内")
# What makes a clause's done result not yet done: a plan, a wish, a condition or an order (将…修复, 如已整改, 责令…整改)
STATED_DONE_BLOCK_RE = re.compile(r"将|会(?!同|议)|拟|计划|争取|尽快|待|准备|预计|正在|如(?!数|期|实)|若|一经|愿意|予以|要求|责令|督促")
# an on-the-spot action (当场销毁) and the 将 that marks its object when one stands between (将发现的赌博机当场销毁);
# a 将 before an adverb or a preposition is the future (将依法当场查处, 将对违停车辆当场处罚)
ON_THE_SPOT_RE = re.compile(r"当场|当即")
DISPOSAL_JIANG_RE = re.compile(r"将(?!依法|立即|及时|继续|进一步|会同|联合|组织|安排|派|对|在|于|向|按|根据)(?=[^。，,；;]+$)")
# states that report a finding or an attitude, not an outcome of the handling (经查属实, 表示理解)
STATED_NOT_OUTCOMES = ("属实", "不属实", "不再", "表示理解")
# Evidence of who handled it that names a handler (not a generic 相关部门 nor a forwarding target)
STATED_ORG_KINDS = ("org:named", "org:agent", "org:self", "org:person", "org:signoff")

# Replies the offices name as not allowed on their own (简单答复).
BANNED_PHRASES = ("已安排相关部门处理", "已联系相关部门调查", "正在协调处理中", "已转相关部门处理", "已转交相关部门")
# the same replies as units vary them: 将尽快安排相关部门处理, 已联系有关部门进行调查, 目前正在协调处理
BANNED_RE = re.compile(r"(?:安排|联系|转交?|交由)(?:相关|有关)(?:部门|单位)[^。，,；;]{0,4}?(?:处理|调查|核实|办理|跟进)|正在协调处理")
