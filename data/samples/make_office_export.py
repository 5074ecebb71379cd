"""Writes office_export.xlsx: a month of invented tickets at an imagined 12345 office, laid out as office exports
are (工单编号, 受理时间, 标题, 诉求内容, 一级分类, 诉求类型, 承办单位, 答复内容, 办结时间, 是否办结, 满意度).

    python data/samples/make_office_export.py

Every message and reply is composed from the hand-written parts below (nothing comes from ../shared/data). Each
unit has its own habits: some write complete replies, one only forwards, others acknowledge, shirk or describe
the process without a result; a few units answer late. A handful of rows are broken on purpose (empty message,
unreadable time, reply before the message). The same seed always gives the same rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from model.timeliness import is_working_day

SEED = 12345
ROWS = 320
START = datetime(2024, 4, 1, 8, 0)
OUTPUT = Path(__file__).resolve().parent / "office_export.xlsx"
HEADER = ("工单编号", "受理时间", "标题", "诉求内容", "一级分类", "诉求类型", "承办单位", "答复内容", "办结时间", "是否办结",
          "满意度")
TYPES = ("投诉", "举报", "求助", "咨询", "建议")

SLOTS = {
    "community": ("金桂园小区", "书香苑", "锦绣华庭", "翠湖湾小区", "碧水蓝天小区", "东湖花园", "幸福里小区", "梧桐苑"),
    "road": ("芙蓉路", "人民东路", "迎宾大道", "桐梓坡路", "劳动西路", "星沙大道", "雨花路", "望岳路"),
    "shop": ("百味轩餐馆", "老杨家烧烤", "湘味小厨", "好运来大排档"),
    "company": ("鑫达服装厂", "宏远建材有限公司", "捷达物流有限公司", "华美装饰工程公司"),
    "gym": ("乐享健身房", "力美健身会所", "动感空间健身中心"),
    "school": ("育才小学", "实验中学", "枫林小学", "明德中学"),
    "village": ("李家村", "龙井村", "石门村", "桃源村"),
    "bus": ("106路", "138路", "21路", "906路"),
    "months": ("两个", "三个", "四个"),
    "phone": ("13912345678", "13800001111", "15500002222"),
}


@dataclass(frozen=True)
class Topic:
    category: str
    type: str
    title: str
    content: str
    process: str  # what the unit did, after "于4月8日"
    result: str  # the outcome; {d2} is a later date
    pending: str  # what a reply without a result says instead


@dataclass(frozen=True)
class Unit:
    weight: int
    topics: tuple[Topic, ...]
    habits: dict[str, int]  # reply kind → weight
    days: tuple[int, int]  # working days from message to reply


HOUSING = (
    Topic("城乡建设", "投诉", "{community}物业擅自收取地面停车费",
          "我是{community}业主，物业公司从本月起对小区地面停车位每月收取150元停车费，没有经过业主大会表决，也没有公示收费依据，"
          "业主多次找物业沟通无果，请相关部门查处。",
          "派物业管理科工作人员会同社区居委会到{community}现场核查，并约谈了物业公司负责人，查阅了物业服务合同",
          "经查，地面停车位属全体业主共有，物业公司未经业主大会表决擅自收费，违反了《西地省物业管理条例》相关规定。我局当场责令物业"
          "公司停止收费，{d2}物业公司已停止收费，并将已收取的停车费全部退还给业主。",
          "已责令物业公司限期整改"),
    Topic("城乡建设", "投诉", "{community}电梯频繁故障困人",
          "{community}3栋电梯这个月已经坏了四次，上周还困了一位老人半个多小时，物业只是简单修一下又继续用，住户上下楼提心吊胆，"
          "请督促物业彻底维修。",
          "会同区市场监督管理局特种设备安全监察科到{community}对电梯进行了检查，并约谈了物业公司和电梯维保单位",
          "经查，该电梯主板和门锁回路老化是频繁故障的原因。维保单位已于{d2}更换了主板和门锁装置，经特种设备检验机构检验合格，电梯"
          "已恢复正常运行，物业公司同时增加了每周巡检。",
          "下一步我们将进一步协调物业公司与电梯维保单位，督促其尽快解决"),
    Topic("城乡建设", "求助", "{community}顶楼漏水申请使用维修基金",
          "我家住{community}7栋顶楼，下雨天屋顶漏水，墙面发霉，物业说要动用维修基金但一直没有办，已经拖了{months}月，"
          "请帮忙协调尽快维修。联系电话{phone}。",
          "派房屋维修资金管理中心工作人员到{community}7栋现场查看，核实了楼顶防水层破损情况，并指导业委会和物业公司办理维修资金"
          "使用手续",
          "{d2}维修资金使用申请已审批通过，施工单位已完成7栋楼顶防水层的翻新，经雨后查看不再漏水。",
          "目前维修资金使用申请正在审核中"),
    Topic("城乡建设", "咨询", "公租房申请需要什么条件",
          "请问在A3区工作的外地户籍人员能不能申请公租房？需要满足哪些条件，提交哪些材料，到哪里办理？",
          "查阅了《A市公共租赁住房管理办法》，并与区住房保障服务中心核实了申请流程",
          "在A3区稳定就业并连续缴纳社保满12个月、本人及家庭成员在A市无自有住房的外地户籍人员可以申请。申请时需提供身份证、"
          "劳动合同、社保缴费证明和无房证明，可在工作日到区政务服务中心住房保障窗口或通过“A市住房保障”网站提交。",
          "相关政策正在研究中"),
)
CITY = (
    Topic("城乡建设", "投诉", "{road}夜市占道经营堵塞交通",
          "{road}与{community}交界处每天傍晚有几十个流动摊贩占道经营，人行道和非机动车道都被占满，垃圾遍地，车辆无法通行，"
          "请城管部门管一管。",
          "派执法中队队员到{road}进行了现场检查，确认存在流动摊贩占道经营的情况",
          "执法中队对占道摊贩进行了劝导和清理，并在该路段设置了临时疏导点，{d2}起安排队员每天17时至21时定点值守，目前道路已"
          "恢复通行，人行道保持畅通。",
          "已责令相关摊贩自行整改"),
    Topic("城乡建设", "举报", "{community}楼顶违章搭建",
          "举报{community}9栋顶楼业主在楼顶用钢架搭建房屋，施工噪音很大，还存在安全隐患，请尽快查处拆除。",
          "派执法队员到{community}9栋楼顶现场核查，确认该业主未经规划审批擅自搭建钢架结构房屋约40平方米",
          "执法队员当场下达《责令停止违法行为通知书》，并于{d2}依法组织强制拆除，违建已全部拆除完毕。",
          "目前已立案调查，待调查结束后将依法处理"),
    Topic("城乡建设", "求助", "{road}一段路灯不亮",
          "{road}靠近{community}一段有十几盏路灯坏了快一个月，晚上一片漆黑，老人小孩出行很不安全，请尽快修复。",
          "派路灯管理所工作人员到{road}现场查看，确认14盏路灯因地下电缆被施工挖断而不亮",
          "路灯管理所重新敷设了电缆，{d2}晚已全部恢复照明。",
          "正在联系施工单位协调维修"),
    Topic("城乡建设", "投诉", "{community}门口垃圾清运不及时",
          "{community}门口的垃圾收集点最近一周都没有及时清运，垃圾堆满溢出，气味很大，蚊蝇很多，请环卫部门处理。",
          "派环卫所工作人员到{community}门口垃圾收集点现场查看，并约谈了负责该片区的保洁公司",
          "保洁公司当天清运了积存垃圾，{d2}起将该收集点的清运频次由每天一次调整为每天两次，并对收集点进行了消杀。",
          "已要求保洁公司加强管理"),
)
MARKET = (
    Topic("商贸旅游", "投诉", "{gym}关门跑路预付卡无法退费",
          "我在{gym}办了两年的年卡，花了3800元，上周健身房突然关门，老板联系不上，很多会员都受损失，请市场监管部门帮忙追回费用。",
          "派执法人员到{gym}经营场所进行了现场检查，并通过登记信息联系上了经营者",
          "经调解，经营者同意按剩余期限退还会员费用，{d2}前已向登记的会员分批退款，您的退款2850元已到账。",
          "目前已立案调查，待调查结束后将依法处理"),
    Topic("商贸旅游", "举报", "菜市场商户缺斤短两",
          "举报{road}农贸市场有几家卖肉的商户秤有问题，我买两斤排骨回家一称少了三两，很多老人都被坑过，请查处。",
          "派计量执法人员到{road}农贸市场对经营户的电子秤进行了抽检",
          "抽检发现3台电子秤存在作弊装置，执法人员当场予以没收，对涉事经营户立案并处以罚款，市场已于{d2}在入口设置公平秤，问题已解决。",
          "已责令市场开办方加强管理"),
    Topic("商贸旅游", "举报", "超市出售过期食品",
          "我在{road}一家超市买的酸奶回家发现已经过期三天，找超市理论态度很差，举报该超市销售过期食品。",
          "派执法人员到该超市进行了现场检查，查扣了货架上的过期食品",
          "经查，该超市销售超过保质期食品的情况属实，我局已依法对其作出罚款5000元的行政处罚，{d2}超市已按规定向您退一赔十。",
          "目前已立案调查"),
)
LABOUR = (
    Topic("劳动和社会保障", "投诉", "{company}拖欠工资",
          "我们是{company}的工人，公司已经拖欠我们{months}月工资了，共有30多人，老板一直说再等等，请劳动部门帮我们讨薪。"
          "联系电话{phone}。",
          "派劳动保障监察大队到{company}进行调查，查阅了工资台账和考勤记录，并约谈了企业法定代表人",
          "监察大队向企业下达了《劳动保障监察限期改正指令书》，{d2}企业已将拖欠的工资全部支付到工人的银行账户。",
          "已责令企业限期支付"),
    Topic("劳动和社会保障", "求助", "单位未给员工缴纳社保",
          "我在{company}上班一年多了，公司一直没给我缴纳社保，问了几次都说试用期不用交，请问怎么办，请帮忙督促单位补缴。",
          "派劳动保障监察大队到{company}进行调查，查阅了员工花名册和社保缴费记录",
          "监察大队责令企业为员工补缴社会保险，{d2}企业已补缴您入职以来的社会保险费。",
          "已责令公司限期为员工补缴社会保险"),
    Topic("劳动和社会保障", "咨询", "灵活就业人员怎么缴纳养老保险",
          "我是外地户籍，在A市做自由职业，请问能不能以灵活就业人员身份参加养老保险？缴费基数和比例是多少？在哪里办理？",
          "查询了现行参保政策",
          "持A市居住证的外地户籍人员可以灵活就业人员身份参保，缴费基数可在上年度全省平均工资的60%至300%之间选择，缴费比例为"
          "20%，可携带身份证到各区社保经办窗口或通过“西地人社”APP办理。",
          "相关政策正在研究中"),
    Topic("劳动和社会保障", "咨询", "失业金怎么申领",
          "我上个月被公司裁员了，请问失业保险金怎么申请？能领多久？需要什么材料？",
          "查阅了失业保险相关规定",
          "非因本人意愿中断就业且参保缴费满1年的，可在“西地人社”APP或各区社保窗口申领失业保险金，需提供身份证和解除劳动合同"
          "证明，领取期限按缴费年限计算，最长24个月。",
          "相关政策正在研究中"),
)
EDUCATION = (
    Topic("教育文体", "投诉", "{school}以资料费名义乱收费",
          "{school}本学期开学要求每个学生交300元资料费，没有开收据，也没说买了什么资料，家长们意见很大，请教育部门查一查。",
          "派督导室工作人员到{school}调查，查阅了学校收费台账并询问了部分家长",
          "确认该校违反义务教育阶段收费规定，区教育局已责令学校全额退费，{d2}学校已将所收费用全部退还给学生家长，并对分管副校长"
          "进行了诫勉谈话。",
          "已责令学校限期整改"),
    Topic("教育文体", "咨询", "小学一年级入学需要哪些材料",
          "孩子今年满6岁，我们是随迁子女，请问在A1区读小学一年级需要准备哪些材料？什么时候报名？",
          "查阅了《A1区义务教育阶段招生入学工作方案》，并与区招生办核实了报名安排",
          "随迁子女入读小学一年级需提供父母一方的居住证、连续缴纳6个月以上的社保证明、户口簿及孩子出生证明，网上报名时间为7月1日"
          "至7月10日，登录“A1区义务教育招生”平台填报。",
          "招生方案正在制定中"),
    Topic("教育文体", "求助", "校外培训机构拒绝退费",
          "给孩子在一家校外培训机构报了一年的课，交了6800元，上了两个月孩子不想去了，机构拒绝退剩余的费用，请帮忙协调。",
          "派校外培训监管科工作人员到该培训机构调查，查阅了培训合同和课时记录，并约谈了机构负责人",
          "经协调，机构同意按未消课时退费，{d2}已将剩余费用5200元退还给您。",
          "已要求机构妥善处理"),
    Topic("教育文体", "建议", "建议{school}门口设置护学岗",
          "{school}门口是{road}，上下学时间车流量很大，孩子过马路很危险，建议在学校门口设置护学岗和减速带。",
          "会同交警部门到{school}门口进行了实地查看",
          "{d2}起学校门口已设置护学岗，每天上下学时段安排民警和家长志愿者值守，并增设了减速带和人行横道标线。",
          "已将您的建议转交相关部门研究"),
)
ENVIRONMENT = (
    Topic("环境保护", "投诉", "{shop}油烟扰民",
          "{community}楼下的{shop}没有安装油烟净化设备，每天中午和晚上油烟直接排到楼上，我们家窗户都不敢开，请环保部门处理。",
          "派执法人员到{shop}进行了现场检查，发现其未安装油烟净化设施，油烟直排",
          "执法人员依法下达了整改通知，{d2}该店已安装油烟净化器并将排烟管道改至楼顶高空排放，复查时油烟排放达标。",
          "已责令其限期整改"),
    Topic("环境保护", "投诉", "工地夜间施工噪音扰民",
          "{community}旁边的工地每天晚上施工到凌晨一两点，打桩声音非常大，老人孩子根本睡不着，请查处。",
          "连续两个夜间派执法人员到该工地蹲守检查，确认其未办理夜间施工许可擅自施工",
          "我局依法对施工单位立案处罚，{d2}起该工地已停止夜间施工，经夜间回访周边噪声已恢复正常。",
          "已责令施工单位停止夜间施工，目前已立案调查"),
    Topic("环境保护", "举报", "{company}偷排废水",
          "举报{company}晚上通过暗管往附近的小河里排污水，河水发黑发臭，鱼都死了，请尽快查处。",
          "组织执法人员在{company}周边夜间蹲守，查获该企业通过暗管排放未经处理的生产废水，现场采样监测超标",
          "我局当即责令企业停产整治、封堵暗管，依法立案并处罚款20万元，{d2}企业已完成污水处理设施改造，复测达标。",
          "目前已立案调查，待调查结束后将依法处理"),
)
POLICE = (
    Topic("交通运输", "建议", "{road}路口早高峰红绿灯时长不合理",
          "{road}与迎宾大道路口早高峰南北向绿灯只有30秒，车辆排队很长，每天都要堵二十分钟，建议调整红绿灯配时。",
          "在早高峰派民警到{road}路口进行了车流量观测，确认南北向排队较长",
          "经研究，已于{d2}将该路口早高峰南北向绿灯时长由30秒调整为50秒，调整后排队长度明显缩短。",
          "已将您的建议转交科技科研究"),
    Topic("交通运输", "投诉", "{community}门口车辆乱停",
          "{community}门口每天都有车辆乱停乱放，堵住消防通道和小区出入口，救护车都进不来，请交警加强管理。",
          "派民警到{community}门口现场查看，确认存在车辆违停堵塞通道的情况",
          "民警对违停车辆依法处罚，{d2}起将该路段纳入重点巡逻范围，并协调社区施划了禁停标线，目前通道已恢复畅通。",
          "已安排民警加强巡查"),
    Topic("交通运输", "举报", "渣土车沿路抛洒",
          "举报晚上经过{road}的渣土车没有密闭，沿路抛洒泥土，第二天路面全是泥，下雨更是一片泥泞，请查处。",
          "组织民警在{road}夜间设卡检查，查获3辆未密闭运输的渣土车",
          "对涉事车辆驾驶人依法处罚，并约谈了所属运输企业，{d2}起该路段的渣土车均已密闭运输，路面已清理干净。",
          "目前正在调查处理"),
)
HEALTH = (
    Topic("卫生计生", "投诉", "医院住院重复收费",
          "我父亲在A市第五医院住院两周，出院时发现护理费有几天重复收费，多收了两百多元，找医院一直推来推去，请卫健部门核查。",
          "派医政科工作人员到A市第五医院，调取了住院收费明细和护理记录进行逐项核对",
          "确认因系统录入错误重复计费216元，医院已于{d2}将多收费用退还，并对收费系统进行了全面排查。",
          "已要求医院核查"),
    Topic("卫生计生", "举报", "{road}有诊所无证行医",
          "{road}一家诊所的坐诊医生好像没有医师资格证，还给病人打点滴，很危险，请卫健部门查一查。",
          "派卫生监督员对该诊所进行了现场检查，查实坐诊人员未取得医师资格证书，属非医师行医",
          "执法人员当场没收药品器械，依法对诊所作出罚款3万元的行政处罚，{d2}已吊销该诊所的执业许可证，诊所已关停。",
          "目前已立案调查"),
    Topic("卫生计生", "咨询", "老人接种流感疫苗怎么预约",
          "请问60岁以上老人接种流感疫苗是免费的吗？在哪里接种，需要预约吗？",
          "与区疾病预防控制中心核实了今年流感疫苗接种安排",
          "本区60岁以上户籍老人可以免费接种流感疫苗一剂，可通过“健康A市”公众号预约，持身份证到就近的社区卫生服务中心接种。",
          "接种安排正在制定中"),
)
TOWN = (
    Topic("交通运输", "求助", "{village}村道塌方无法通行",
          "连续下雨后{village}通往镇上的村道塌了一段，车辆无法通行，学生上学只能绕远路，请尽快抢修。",
          "组织技术人员到{village}现场查看塌方路段",
          "施工队已重新砌筑挡土墙并修复路面，{d2}道路已恢复通行。",
          "正在协调资金抢修"),
    Topic("环境保护", "投诉", "{village}垃圾堆放无人清理",
          "{village}村口的垃圾堆了快一个月没人清理，臭气熏天，请镇里安排清运。",
          "安排镇环卫站工作人员到{village}村口现场查看",
          "镇环卫站已清运积存垃圾，{d2}起在村口设置了密闭垃圾箱，每两天清运一次。",
          "正在安排清运"),
    Topic("城乡建设", "求助", "{village}停水三天",
          "{village}已经停水三天了，没有任何通知，村民生活用水很困难，请尽快恢复供水。",
          "联系县自来水公司抢修队到{village}查看，确认主供水管道破裂",
          "抢修队更换了破损管道，{d2}已恢复正常供水。",
          "正在协调自来水公司处理"),
)
TRANSPORT = (
    Topic("交通运输", "建议", "建议{bus}公交在{community}增设站点",
          "{community}入住了几千户居民，最近的公交站要走一公里多，老人出行很不方便，建议{bus}公交在小区门口增设站点。",
          "会同公交集团线路规划人员到{community}周边进行了客流调查，并征求了社区意见",
          "经研究，{bus}公交已于{d2}起在{community}门口新增站点，站点已投入使用。",
          "已将您的建议转交公交集团研究"),
    Topic("交通运输", "投诉", "出租车拒载绕路",
          "昨晚在火车站打出租车，司机先是拒载，后来上车又故意绕路，多收了三十多元，请交通部门查处。",
          "调取了该出租车的GPS轨迹和车载监控，确认驾驶员存在绕路行为",
          "执法支队依法对驾驶员作出罚款处罚，并责令其退还多收车费，驾驶员已于{d2}退还多收的35元车费。",
          "目前正在进一步核实"),
    Topic("交通运输", "投诉", "{bus}公交司机态度恶劣",
          "乘坐{bus}公交时，司机对老人上车慢大声呵斥，还没等人站稳就起步，老人差点摔倒，请公交公司处理。",
          "调取了{bus}公交车车载视频，核实了您反映的情况",
          "公交集团已对该司机进行了批评教育并停岗培训一周，该司机已于{d2}向当事老人赔礼道歉，问题已解决。",
          "目前正在进一步核实司机的违规情节，待核实后将按公司规定严肃处理"),
)

UNITS = {
    "A3区住房和城乡建设局": Unit(14, HOUSING, {"complete": 8, "no_contact": 1, "process": 1}, (3, 12)),
    "A市城市管理和综合执法局": Unit(14, CITY, {"complete": 5, "process": 3, "forward": 2}, (2, 12)),
    "A2区市场监督管理局": Unit(10, MARKET, {"forward": 5, "ack": 3, "complete": 2}, (2, 10)),
    "A市人力资源和社会保障局": Unit(12, LABOUR, {"complete": 7, "no_contact": 2, "pending": 1}, (2, 10)),
    "A1区教育局": Unit(10, EDUCATION, {"ack": 4, "complete": 4, "shirk": 2}, (3, 12)),
    "A市生态环境局A1分局": Unit(9, ENVIRONMENT, {"process": 6, "complete": 4}, (3, 14)),
    "A市公安局交通警察支队": Unit(9, POLICE, {"complete": 6, "forward": 2, "no_contact": 2}, (2, 10)),
    "A5区卫生健康局": Unit(8, HEALTH, {"shirk": 4, "complete": 4, "ack": 2}, (2, 12)),
    "B3县黄田镇人民政府": Unit(6, TOWN, {"forward": 1}, (6, 20)),
    "A市交通运输局": Unit(8, TRANSPORT, {"complete": 9, "ack": 1}, (10, 24)),
}

FORWARD = ("您好！您反映的问题已转{sub}办理，请耐心等待。",
           "网友：你好！你反映的问题，我们已安排相关部门处理，感谢你对我们工作的关心和支持。",
           "您好，您反映的问题已收悉，已转交属地部门处理。{unit}")
ACK = ("您的留言已收悉，我们将高度重视，认真研究。", "来信收悉，感谢您对我们工作的关注和支持。{unit}",
       "您好！您反映的情况我们已经知悉，将认真研究处理。")
PENDING = ("您好，您反映的问题正在协调处理中，请耐心等待。",
           "您好！您反映的问题我局高度重视，目前正在调查处理中，处理结果将另行告知。{unit}")
SHIRK = ("您好！经了解，您反映的问题不属于我单位职责范围，请向有关部门反映。{unit}",
         "网友您好：该问题不在我局职能范围之内，建议您通过其他渠道反映。{unit}")
SUBORDINATES = ("村委会", "相关科室", "属地社区", "有关站所")
CONTACT = ("{d3}，工作人员电话联系了您，告知了处理结果，您表示满意。", "{d3}，工作人员上门向您反馈了处理情况，您表示认可。")
SATISFACTION = {"complete": ("满意", "满意", "满意", "基本满意", "未评价"),
                "no_contact": ("满意", "基本满意", "基本满意", "不满意", "未评价"),
                "process": ("不满意", "不满意", "基本满意", "未评价")}
POOR_SATISFACTION = ("不满意", "不满意", "不满意", "基本满意", "未评价")
OTHER_CATEGORY = {"城乡建设": "环境保护", "环境保护": "城乡建设", "交通运输": "城乡建设", "商贸旅游": "卫生计生",
                  "卫生计生": "商贸旅游", "劳动和社会保障": "商贸旅游", "教育文体": "劳动和社会保障"}


def _day(moment: datetime) -> str:
    return f"{moment.month}月{moment.day}日"


def _add_working_days(start: datetime, days: int) -> datetime:
    moment = start
    while days:
        moment += timedelta(days=1)
        days -= is_working_day(moment.date())
    return moment


def _reply(rng: random.Random, unit: str, topic: Topic, kind: str, slots: dict[str, str], received: datetime,
           replied: datetime) -> str:
    span = max((replied - received).days, 3)
    d1 = received + timedelta(days=1 + rng.randrange(2))
    d2 = d1 + timedelta(days=1 + rng.randrange(max(span - 2, 1)))
    dates = {"d1": _day(d1), "d2": _day(min(d2, replied)), "d3": _day(replied - timedelta(days=rng.randrange(2)))}
    fill = {**slots, **dates, "unit": unit, "sub": rng.choice(SUBORDINATES)}
    opening = rng.choice(("您好！", "网友您好！"))
    process = f"{unit}于{dates['d1']}{topic.process.format(**fill)}"
    if kind in ("complete", "no_contact"):
        link = "，现答复如下：" if topic.type == "咨询" else "。"
        text = opening + process + link + topic.result.format(**fill)
        if kind == "complete":
            text += rng.choice(CONTACT).format(**fill)
        return text + (unit if rng.random() < 0.5 else "")
    if kind == "process":
        return f"{opening}{process}，{topic.pending.format(**fill)}。"
    phrases = {"forward": FORWARD, "ack": ACK, "pending": PENDING, "shirk": SHIRK}[kind]
    return rng.choice(phrases).format(**fill)


def make_rows(seed: int = SEED, count: int = ROWS) -> list[list[str]]:
    rng = random.Random(seed)
    names = list(UNITS)
    drafts = []
    for _ in range(count):
        unit = rng.choices(names, [UNITS[n].weight for n in names])[0]
        profile = UNITS[unit]
        topic = rng.choice(profile.topics)
        received = START + timedelta(days=rng.randrange(30), minutes=rng.randrange(13 * 60))
        drafts.append((received, unit, topic))
    drafts.sort(key=lambda draft: draft[0])
    rows = []
    for number, (received, unit, topic) in enumerate(drafts, start=1):
        profile = UNITS[unit]
        slots = {name: rng.choice(values) for name, values in SLOTS.items()}
        title, content = topic.title.format(**slots), topic.content.format(**slots)
        in_progress = rng.random() < 0.04
        kind = rng.choices(list(profile.habits), list(profile.habits.values()))[0]
        replied = _add_working_days(received, rng.randint(*profile.days)).replace(
            hour=rng.randrange(8, 18), minute=rng.randrange(60))
        if topic.type == "咨询" and rng.random() < 0.6:  # consultations are mostly answered within their 5 days
            replied = _add_working_days(received, rng.randint(1, 5)).replace(hour=16, minute=30)
        reply = "" if in_progress else _reply(rng, unit, topic, kind, slots, received, replied)
        category = topic.category if rng.random() > 0.08 else OTHER_CATEGORY[topic.category]
        request_type = topic.type if rng.random() > 0.06 else rng.choice(TYPES)
        satisfaction = "" if in_progress else rng.choice(SATISFACTION.get(kind, POOR_SATISFACTION))
        rows.append([f"{received:%y%m%d}{number:04d}", f"{received:%Y-%m-%d %H:%M:%S}", title, content, category,
                     request_type, unit, reply, "" if in_progress else f"{replied:%Y-%m-%d %H:%M:%S}",
                     "否" if in_progress else "是", satisfaction])
    _break(rows)
    return rows


def _break(rows: list[list[str]]) -> None:
    """A few rows as real exports have them: no message, unreadable times, a reply dated before the message, no unit."""
    for index in (40, 211):
        rows[index][2] = rows[index][3] = ""
    rows[97][1] = "2024-04-31 09:15:00"
    rows[150][8] = "待补录"
    rows[260][8] = "2024-03-28 10:00:00"
    for index in (63, 178, 290):
        rows[index][6] = ""


def main() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "工单"
    sheet.append(HEADER)
    for row in make_rows():
        sheet.append(row)
    workbook.properties.creator = "hotline data/samples/make_office_export.py"
    workbook.save(OUTPUT)
    print(f"{ROWS} rows → {OUTPUT}")


if __name__ == "__main__":
    main()
