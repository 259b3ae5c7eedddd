"""Word lists and department profiles of the demo data generator (dashboard.demo.generate).

Everything here is invented for the demo of 鹤岗市 (Hegang, 黑龙江省): trade-name characters, name
patterns per subject kind and industry, what each department decides (penalty causes with their
legal basis, licence certificates with their validity), campaigns, lenders and the province's
cities. Nothing is read at run time except through these constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# P5 districts: (region code, name, name prefix used in subject names, weight among subjects).
DISTRICTS: tuple[tuple[str, str, str, float], ...] = (
    ("230400", "鹤岗市", "鹤岗市", 0.08),
    ("230402", "向阳区", "鹤岗市向阳区", 0.19),
    ("230403", "工农区", "鹤岗市工农区", 0.17),
    ("230404", "南山区", "鹤岗市南山区", 0.11),
    ("230405", "兴安区", "鹤岗市兴安区", 0.07),
    ("230406", "东山区", "鹤岗市东山区", 0.09),
    ("230407", "兴山区", "鹤岗市兴山区", 0.05),
    ("230421", "萝北县", "萝北县", 0.14),
    ("230422", "绥滨县", "绥滨县", 0.10),
)

# USCC kinds (P1): code, share of registry subjects.
KINDS: tuple[tuple[str, float], ...] = (
    ("91", 0.585),
    ("92", 0.300),
    ("93", 0.055),
    ("11", 0.005),
    ("12", 0.022),
    ("13", 0.002),
    ("51", 0.012),
    ("52", 0.016),
    ("53", 0.001),
    ("31", 0.002),
)
BUSINESS_KINDS = ("91", "92", "93")

INDUSTRY_LETTERS = "ABCDEFGHIJKLMNOPQRST"
# Industry mix per business kind (a coal and farming city: mining, farming and trade weigh heavily).
INDUSTRY_WEIGHTS: dict[str, dict[str, float]] = {
    "91": {
        "A": 12,
        "B": 5,
        "C": 9,
        "D": 1.5,
        "E": 7,
        "F": 27,
        "G": 6,
        "H": 6,
        "I": 2,
        "J": 0.6,
        "K": 2.5,
        "L": 6,
        "M": 2.5,
        "N": 1,
        "O": 5,
        "P": 0.8,
        "Q": 1.2,
        "R": 2,
        "S": 0.4,
        "T": 0.02,
    },
    "92": {"A": 6, "C": 2, "F": 45, "G": 5, "H": 22, "O": 18, "R": 2},
    "93": {"A": 95, "F": 3, "O": 2},
}

# Industry words of enterprise names (91), per GB/T 4754 门类.
ENTERPRISE_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("农业科技", "农业发展", "生态农业", "米业", "农牧", "食用菌", "种业"),
    "B": ("煤业", "矿业", "煤矿", "石墨矿业", "洗煤"),
    "C": ("石墨新材料", "机械制造", "食品", "木业", "建材", "酿酒", "乳业", "服装", "矿山机械"),
    "D": ("热力", "电力", "燃气", "供水"),
    "E": ("建筑工程", "建设工程", "建筑安装", "路桥工程", "装饰工程"),
    "F": ("商贸", "贸易", "经贸", "百货", "物资", "医药连锁", "汽车销售", "粮油"),
    "G": ("物流", "运输", "客运", "货运", "仓储"),
    "H": ("餐饮管理", "酒店管理", "宾馆", "餐饮"),
    "I": ("信息技术", "网络科技", "软件", "电子科技"),
    "J": ("融资担保", "小额贷款", "典当"),
    "K": ("房地产开发", "物业管理", "置业"),
    "L": ("商务服务", "人力资源服务", "广告传媒", "企业管理咨询", "劳务"),
    "M": ("科技", "技术服务", "工程设计", "检测"),
    "N": ("环保科技", "环境工程", "园林绿化", "水利工程"),
    "O": ("家政服务", "汽车维修", "洗浴", "美容"),
    "P": ("教育咨询", "培训"),
    "Q": ("医疗管理", "健康管理", "医院"),
    "R": ("文化传媒", "体育发展", "影视", "娱乐"),
    "S": ("社会服务",),
    "T": ("国际合作",),
}
ENTERPRISE_SUFFIXES: tuple[tuple[str, float], ...] = (
    ("有限公司", 0.70),
    ("有限责任公司", 0.26),
    ("股份有限公司", 0.02),
    ("厂", 0.02),
)

# Shop words of 个体工商户 names (92).
SHOP_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("养殖场", "种植园", "家庭农场"),
    "C": ("豆腐坊", "加工厂"),
    "F": ("超市", "便利店", "商店", "烟酒行", "五金商店", "粮油店", "水果店", "日杂店"),
    "G": ("货运部", "搬家服务部"),
    "H": ("饭店", "饺子馆", "烧烤店", "面馆", "快餐店", "酒馆", "旅店"),
    "O": ("理发店", "汽车修理部", "洗衣店", "家电维修部", "美容院", "洗浴中心"),
    "R": ("网吧", "棋牌室"),
}
# Products of 农民专业合作社 names (93).
COOP_WORDS = (
    "水稻种植",
    "大豆种植",
    "玉米种植",
    "蔬菜种植",
    "食用菌种植",
    "生猪养殖",
    "肉牛养殖",
    "农机",
    "蓝莓种植",
    "中草药种植",
)

# Government bodies (11) at district/county level: enumerated before falling back to streets/towns.
GOV_FUNCTIONS = (
    "人民政府",
    "教育局",
    "财政局",
    "民政局",
    "人力资源和社会保障局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "水务局",
    "商务局",
    "卫生健康局",
    "应急管理局",
    "审计局",
    "统计局",
    "城市管理综合执法局",
    "医疗保障局",
    "退役军人事务局",
    "司法局",
    "发展和改革局",
    "文体广电和旅游局",
    "人民法院",
    "人民检察院",
)
INSTITUTION_WORDS = (
    "小学",
    "中学",
    "幼儿园",
    "社区卫生服务中心",
    "农业技术推广中心",
    "水利工作站",
    "畜牧兽医站",
    "林业工作站",
    "文化馆",
    "图书馆",
    "养老服务中心",
    "供水管理所",
)
MASS_ORG_FUNCTIONS = ("总工会", "妇女联合会", "残疾人联合会", "科学技术协会", "红十字会", "工商业联合会")
SOCIAL_WORDS = {
    "51": ("商会", "个体劳动者协会", "餐饮行业协会", "种植业协会", "书法家协会", "摄影家协会"),
    "52": ("职业培训学校", "养老院", "民办幼儿园", "康复中心"),
    "53": ("慈善基金会",),
    "31": ("律师事务所",),
}

# Characters of trade names (字号). Built into unique 2- and 3-character names; characters that
# begin any word that follows a trade name are dropped so that no name can be read two ways.
_TRADE_RAW = (
    "兴盛鑫源宏达华泰恒通顺丰隆昌瑞祥福旺和诚德嘉佳康博远创金银玉凤鹏飞腾翔宇天海江河峰岩"
    "晨阳明辉亮星月春夏秋冬东南西北正方圆众志友谊汇聚百千万亿乐美好优益致骏驰宝利永久长"
    "升荣富贵吉庆喜旭日红蓝绿青紫彩云霞雨雪松竹梅兰菊荷桂桦杨柏槐泉溪湖波涛浪帆舟桥路"
    "华夏中国龙虎豹鹰雁燕鸿凯旋胜捷威武勇强坚钢铁铭锦绣丽雅静怡馨芳香甜蜜甘润泽沃田禾"
    "谷麦豆粟穗丰稔实诺信义仁礼智勤俭朴真善忠孝悦欣鸣凌霄汉唐宋元明清辰卓越超群冠亚"
)


def _trade_chars() -> tuple[str, ...]:
    followers: list[str] = []
    for words in ENTERPRISE_WORDS.values():
        followers += words
    for words in SHOP_WORDS.values():
        followers += words
    for words in SOCIAL_WORDS.values():
        followers += words
    followers += [*COOP_WORDS, *INSTITUTION_WORDS, "街道办事处", "镇人民政府", "律师事务所", "厂"]
    followers += [s for s, _ in ENTERPRISE_SUFFIXES]
    banned = {w[0] for w in followers} | set("鹤岗")  # 鹤…: reserved for planted subjects
    seen: list[str] = []
    for ch in _TRADE_RAW:
        if ch not in banned and ch not in seen:
            seen.append(ch)
    return tuple(seen)


TRADE_CHARS = _trade_chars()

SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1),
    ("李", 7.0),
    ("张", 6.8),
    ("刘", 5.4),
    ("陈", 4.5),
    ("杨", 3.1),
    ("赵", 2.3),
    ("黄", 2.2),
    ("周", 2.1),
    ("吴", 2.0),
    ("徐", 1.7),
    ("孙", 1.6),
    ("胡", 1.3),
    ("朱", 1.3),
    ("高", 1.3),
    ("林", 1.2),
    ("何", 1.2),
    ("郭", 1.1),
    ("马", 1.1),
    ("罗", 0.9),
    ("梁", 0.9),
    ("宋", 0.8),
    ("郑", 0.8),
    ("谢", 0.7),
    ("韩", 0.7),
    ("唐", 0.6),
    ("冯", 0.6),
    ("于", 0.6),
    ("董", 0.6),
    ("程", 0.5),
    ("曹", 0.5),
    ("袁", 0.5),
    ("邓", 0.5),
    ("许", 0.5),
    ("傅", 0.4),
    ("沈", 0.4),
    ("曾", 0.4),
    ("彭", 0.4),
    ("吕", 0.4),
    ("苏", 0.4),
    ("卢", 0.4),
    ("蒋", 0.4),
    ("蔡", 0.4),
    ("贾", 0.3),
    ("丁", 0.3),
    ("魏", 0.3),
    ("薛", 0.3),
    ("叶", 0.3),
    ("阎", 0.3),
    ("潘", 0.3),
    ("杜", 0.3),
    ("戴", 0.2),
    ("夏", 0.2),
    ("姜", 0.2),
    ("范", 0.2),
    ("石", 0.2),
    ("姚", 0.2),
    ("谭", 0.2),
    ("邹", 0.2),
    ("金", 0.2),
    ("孟", 0.2),
    ("崔", 0.2),
    ("秦", 0.2),
    ("欧阳", 0.05),
    ("司马", 0.02),
    ("上官", 0.02),
)
GIVEN_CHARS = tuple(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰志红华建国玉凤海波宇浩鹏飞斌辉"
    "丹萍鑫琳晶婷雪梅春燕立新文博亮东岩松柏林森峰宏旭晨阳光明晓颖欣悦佳琪瑞"
)


@dataclass(frozen=True)
class Profile:
    """What one department decides. `industries` weights the parties' industries; `person_share`
    is the share of penalty parties that are natural persons; `certificates` are
    (name, years of validity — 0 for no expiry, license-number prefix)."""

    penalty_weight: float
    licence_weight: float
    person_share: float
    industries: dict[str, float]
    prefix: str
    violations: tuple[tuple[str, str], ...]
    certificates: tuple[tuple[str, int, str], ...] = ()
    simple_share: float = 0.05
    person_kinds: tuple[str, ...] = ("罚款", "警告")
    extra: dict = field(default_factory=dict)


ALL = {k: 1.0 for k in "ACEFGHKLO"}

PROFILES: dict[str, Profile] = {
    "market": Profile(
        0.22,
        0.36,
        0.05,
        {"F": 5, "H": 3, "O": 2, "C": 1, "A": 0.5},
        "鹤市监处罚",
        (
            ("经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条"),
            ("销售不合格产品", "《中华人民共和国产品质量法》第四十九条"),
            ("发布虚假广告", "《中华人民共和国广告法》第五十五条"),
            ("未按规定明码标价", "《明码标价和禁止价格欺诈规定》第二十一条"),
            ("使用未经检验的特种设备", "《中华人民共和国特种设备安全法》第八十四条"),
        ),
        (("食品经营许可证", 5, "JY1"), ("食品生产许可证", 5, "SC1"), ("药品经营许可证", 5, "黑DB")),
    ),
    "tax": Profile(
        0.10,
        0.0,
        0.02,
        {"F": 3, "C": 1, "E": 1, "B": 1, "K": 1, "L": 1, "G": 1},
        "鹤税稽罚",
        (
            ("未按照规定期限办理纳税申报和报送纳税资料", "《中华人民共和国税收征收管理法》第六十二条"),
            ("未按照规定开具发票", "《中华人民共和国发票管理办法》第三十五条"),
            ("偷税", "《中华人民共和国税收征收管理法》第六十三条"),
        ),
        simple_share=0.15,
    ),
    "transport": Profile(
        0.09,
        0.10,
        0.35,
        {"G": 1},
        "鹤交执罚",
        (
            ("未取得道路运输经营许可擅自从事道路运输经营", "《中华人民共和国道路运输条例》第六十三条"),
            ("道路运输车辆未按规定进行定期维护", "《道路运输车辆技术管理规定》第三十一条"),
            ("车辆超限运输", "《公路安全保护条例》第六十四条"),
        ),
        (("道路运输经营许可证", 4, "黑交运管许可鹤字"), ("道路运输证", 2, "黑鹤运")),
        simple_share=0.12,
    ),
    "urban_admin": Profile(
        0.08,
        0.03,
        0.30,
        {"E": 2, "F": 2, "H": 2, "O": 1},
        "鹤城管罚",
        (
            ("未经批准擅自设置户外广告", "《城市市容和环境卫生管理条例》第三十六条"),
            ("随意倾倒建筑垃圾", "《城市建筑垃圾管理规定》第二十六条"),
            ("占道经营", "《城市市容和环境卫生管理条例》第三十六条"),
        ),
        (("城市建筑垃圾处置核准", 1, "鹤城管准"), ("设置大型户外广告许可", 2, "鹤城管广")),
    ),
    "public_security": Profile(
        0.10,
        0.03,
        0.75,
        {"H": 2, "O": 1, "F": 1},
        "鹤公（治）行罚决字",
        (
            ("扰乱公共秩序", "《中华人民共和国治安管理处罚法》第二十三条"),
            ("殴打他人", "《中华人民共和国治安管理处罚法》第四十三条"),
            ("旅馆业未按规定登记住宿旅客信息", "《中华人民共和国治安管理处罚法》第五十六条"),
        ),
        (("特种行业许可证", 3, "鹤公特"),),
        simple_share=0.12,
        person_kinds=("罚款", "警告", "行政拘留", "行政拘留;罚款"),
    ),
    "emergency": Profile(
        0.05,
        0.04,
        0.02,
        {"B": 3, "C": 2, "E": 1, "F": 1},
        "鹤应急罚",
        (
            ("未按规定对从业人员进行安全生产教育和培训", "《中华人民共和国安全生产法》第九十七条"),
            ("未建立事故隐患排查治理制度", "《中华人民共和国安全生产法》第一百零一条"),
        ),
        (("危险化学品经营许可证", 3, "黑鹤危化经"), ("烟花爆竹经营（零售）许可证", 1, "黑鹤烟零")),
    ),
    "coal": Profile(
        0.04,
        0.01,
        0.0,
        {"B": 1},
        "鹤煤安罚",
        (
            ("煤矿未按规定进行瓦斯检查", "《煤矿安全规程》第一百八十条"),
            ("超能力组织生产", "《国务院关于预防煤矿生产安全事故的特别规定》第十条"),
        ),
        (("煤矿安全生产许可证", 3, "黑MK"),),
    ),
    "ecology": Profile(
        0.05,
        0.03,
        0.02,
        {"B": 2, "C": 2, "D": 1, "E": 1},
        "鹤环罚",
        (
            ("超标排放大气污染物", "《中华人民共和国大气污染防治法》第九十九条"),
            ("未依法取得排污许可证排放污染物", "《排污许可管理条例》第三十三条"),
            ("未落实扬尘污染防治措施", "《中华人民共和国大气污染防治法》第一百一十五条"),
        ),
        (("排污许可证", 5, "91230400PW"),),
    ),
    "health": Profile(
        0.04,
        0.08,
        0.05,
        {"Q": 2, "H": 2, "O": 2},
        "鹤卫罚",
        (
            ("公共场所未取得卫生许可证经营", "《公共场所卫生管理条例》第十四条"),
            ("使用非卫生技术人员从事医疗卫生技术工作", "《医疗机构管理条例》第四十七条"),
        ),
        (("公共场所卫生许可证", 4, "鹤卫公证字"), ("医疗机构执业许可证", 5, "PDY")),
    ),
    "fire": Profile(
        0.04,
        0.03,
        0.02,
        {"H": 2, "F": 2, "O": 1, "R": 1},
        "鹤消行罚决字",
        (
            ("消防设施、器材未保持完好有效", "《中华人民共和国消防法》第六十条"),
            ("占用、堵塞疏散通道、安全出口", "《中华人民共和国消防法》第六十条"),
        ),
        (("公众聚集场所投入使用、营业前消防安全检查合格证", 0, "鹤消安检字"),),
    ),
    "culture_tourism": Profile(
        0.03,
        0.04,
        0.02,
        {"R": 3, "H": 1},
        "鹤文旅罚",
        (
            ("娱乐场所超时营业", "《娱乐场所管理条例》第四十八条"),
            ("互联网上网服务营业场所接纳未成年人", "《互联网上网服务营业场所管理条例》第三十一条"),
        ),
        (("娱乐经营许可证", 2, "2304"), ("网络文化经营许可证", 3, "黑网文"), ("旅行社业务经营许可证", 0, "L-HLJ-")),
    ),
    "agriculture": Profile(
        0.04,
        0.05,
        0.10,
        {"A": 1},
        "鹤农罚",
        (
            ("经营假劣农药", "《农药管理条例》第五十五条"),
            ("销售未经审定的农作物品种种子", "《中华人民共和国种子法》第七十七条"),
        ),
        (
            ("农药经营许可证", 5, "农药经许（黑）"),
            ("农作物种子生产经营许可证", 5, "D（黑鹤）农种许字"),
            ("兽药经营许可证", 5, "（2023）兽药经营证字"),
        ),
    ),
    "natural_resources": Profile(
        0.03,
        0.03,
        0.15,
        {"B": 2, "K": 1, "E": 1, "A": 1},
        "鹤自然资罚",
        (
            ("非法占用土地", "《中华人民共和国土地管理法》第七十七条"),
            ("未取得采矿许可证擅自采矿", "《中华人民共和国矿产资源法》第三十九条"),
        ),
        (
            ("建设用地规划许可证", 0, "地字第230400"),
            ("建设工程规划许可证", 0, "建字第230400"),
            ("采矿许可证", 5, "C2304"),
        ),
    ),
    "housing": Profile(
        0.03,
        0.06,
        0.02,
        {"E": 3, "K": 2},
        "鹤住建罚",
        (
            ("未取得施工许可证擅自施工", "《建筑工程施工许可管理办法》第十二条"),
            ("未取得商品房预售许可证预售商品房", "《城市商品房预售管理办法》第十五条"),
        ),
        (
            ("建筑工程施工许可证", 0, "230400"),
            ("商品房预售许可证", 0, "鹤房预售证字"),
            ("建筑施工企业安全生产许可证", 3, "（黑）JZ安许证字"),
        ),
    ),
    "water": Profile(
        0.015,
        0.02,
        0.05,
        {"N": 2, "A": 1, "D": 1},
        "鹤水罚",
        (
            ("未经批准擅自取水", "《中华人民共和国水法》第六十九条"),
            ("河道管理范围内违法采砂", "《中华人民共和国河道管理条例》第四十四条"),
        ),
        (("取水许可证", 5, "D230400S"),),
    ),
    "forestry": Profile(
        0.02,
        0.02,
        0.20,
        {"A": 1},
        "鹤林罚",
        (
            ("擅自改变林地用途", "《中华人民共和国森林法》第七十三条"),
            ("滥伐林木", "《中华人民共和国森林法》第七十六条"),
        ),
        (("林木采伐许可证", 1, "鹤林采"), ("使用林地审核同意书", 0, "鹤林地审字")),
    ),
    "human_resources": Profile(
        0.015,
        0.01,
        0.0,
        {"E": 3, "C": 1, "H": 1},
        "鹤人社监罚",
        (
            ("克扣或者无故拖欠劳动者工资", "《保障农民工工资支付条例》第五十五条"),
            ("未按规定订立书面劳动合同", "《中华人民共和国劳动合同法》第八十二条"),
        ),
        (("劳务派遣经营许可证", 3, "230400"), ("人力资源服务许可证", 0, "（黑）人服证字")),
    ),
    "medical_insurance": Profile(
        0.01,
        0.0,
        0.0,
        {"Q": 2, "F": 1},
        "鹤医保罚",
        (("定点医药机构违规结算医疗保障基金", "《医疗保障基金使用监督管理条例》第三十八条"),),
    ),
    "commerce": Profile(
        0.01,
        0.01,
        0.0,
        {"F": 2, "L": 1},
        "鹤商务罚",
        (("单用途商业预付卡未按规定备案", "《单用途商业预付卡管理办法（试行）》第三十六条"),),
        (("成品油零售经营批准证书", 5, "油零售证书第"),),
    ),
    "civil_affairs": Profile(
        0.005,
        0.005,
        0.0,
        {"S": 1},
        "鹤民罚",
        (("社会组织未按规定参加年度检查", "《社会团体登记管理条例》第三十条"),),
        (("社会团体登记证书", 5, "鹤民社证字"),),
    ),
    "postal": Profile(
        0.005,
        0.005,
        0.0,
        {"G": 1},
        "鹤邮管罚",
        (("未按规定实名收寄快件", "《中华人民共和国反恐怖主义法》第八十五条"),),
        (("快递业务经营许可证", 5, "黑邮"),),
    ),
    "development_reform": Profile(
        0.005,
        0.01,
        0.0,
        {"D": 2, "E": 1, "F": 1},
        "鹤发改罚",
        (("不执行政府定价", "《中华人民共和国价格法》第三十九条"),),
        (("企业投资项目核准", 2, "鹤发改核字"),),
    ),
    "education": Profile(
        0.003,
        0.005,
        0.0,
        {"P": 1},
        "鹤教罚",
        (("擅自举办校外培训机构", "《中华人民共和国民办教育促进法》第六十四条"),),
        (("民办学校办学许可证", 5, "教民1230400"),),
    ),
    "customs": Profile(
        0.003,
        0.0,
        0.02,
        {"F": 1},
        "鹤关缉违字",
        (("进出口货物申报不实", "《中华人民共和国海关行政处罚实施条例》第十五条"),),
    ),
}

# Authorities that map to no department of the reference data (county bureaus): they issue
# decisions under their own names and codes, and the loader must show them as unmapped.
# (name, org code for the authority USCC, region, profile, decision-number prefix)
UNKNOWN_AUTHORITIES: tuple[tuple[str, str, str, str, str], ...] = (
    ("萝北县市场监督管理局", "11239901", "230421", "market", "萝市监处罚"),
    ("绥滨县市场监督管理局", "11239902", "230422", "market", "绥市监处罚"),
    ("萝北县交通运输局", "11239903", "230421", "transport", "萝交执罚"),
    ("绥滨县应急管理局", "11239904", "230422", "emergency", "绥应急罚"),
)
UNKNOWN_PENALTY_SHARE = 0.015
UNKNOWN_LICENCE_SHARE = 0.02

# Disclosure departments lagging badly (I04): extra ledger decisions never reported (上报率), and
# share of records reported late (及时率). Everyone else: 1–4 % unreported, 3 % late.
LAGGING_REPORTING = {"urban_admin": 0.19, "forestry": 0.24}
LAGGING_TIMELINESS = {"urban_admin": 0.33, "fire": 0.30}
DEFAULT_UNREPORTED = (0.01, 0.04)
DEFAULT_LATE = 0.03
# Department answering objections late often (I05).
LAGGING_OBJECTIONS = {"housing": 0.35}
DEFAULT_OBJECTION_LATE = 0.06

PENALTY_KIND_COMBOS: tuple[tuple[str, float], ...] = (
    ("罚款", 0.52),
    ("警告", 0.12),
    ("警告;罚款", 0.12),
    ("罚款;没收违法所得", 0.12),
    ("没收违法所得;没收非法财物;罚款", 0.04),
    ("责令停产停业;罚款", 0.03),
    ("暂扣许可证件", 0.02),
    ("吊销许可证件", 0.01),
    ("通报批评", 0.02),
)

# Industries each grading department (001 (十)) rates in its 行业信用评价, with the share of the
# relevant subjects rated each year, and the month of its yearly rating.
GRADING: dict[str, tuple[str, float, int]] = {
    "market": ("FHO", 0.18, 11),
    "culture_tourism": ("RH", 0.5, 10),
    "health": ("QHO", 0.3, 9),
    "civil_affairs": ("S", 0.6, 6),
    "commerce": ("FL", 0.15, 12),
    "medical_insurance": ("Q", 0.8, 5),
    "development_reform": ("D", 0.8, 8),
    "water": ("NA", 0.15, 7),
    "agriculture": ("A", 0.2, 11),
    "fire": ("HFR", 0.12, 12),
    "forestry": ("A", 0.05, 4),
    "postal": ("G", 0.2, 3),
    "emergency": ("BC", 0.4, 10),
    "public_security": ("HO", 0.1, 9),
    "customs": ("F", 0.01, 6),
    "tax": ("CEFGKL", 0.12, 4),
    "ecology": ("BCD", 0.4, 8),
    "human_resources": ("EC", 0.2, 12),
    "housing": ("EK", 0.6, 11),
    "urban_admin": ("E", 0.3, 9),
    "coal": ("B", 0.9, 6),
    "transport": ("G", 0.6, 5),
}
# Grading departments with no rating in the last 12 months (I10 below target), and one with none.
GRADING_STALE = ("forestry", "postal", "medical_insurance")
GRADING_NEVER = ("customs",)

SERIOUS_LISTS: tuple[tuple[str, str], ...] = (
    ("重大税收违法失信主体名单", "市税务局"),
    ("拖欠农民工工资失信联合惩戒对象名单", "市人社局"),
    ("严重违法失信名单", "市市场监管局"),
    ("交通运输领域严重失信主体名单", "市交通运输局"),
    ("文化和旅游市场严重失信主体名单", "市文体广旅局"),
    ("安全生产严重失信主体名单", "市应急局"),
)

ABNORMAL_REASONS = (
    "未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告",
    "通过登记的住所或者经营场所无法联系",
    "未在责令的期限内公示有关企业信息",
    "公示企业信息隐瞒真实情况、弄虚作假",
)
ABNORMAL_REMOVAL = ("已补报年度报告并公示", "依法办理住所变更登记", "已更正公示信息", "信用修复")

COURTS: tuple[tuple[str, str], ...] = (
    ("鹤岗市中级人民法院", "黑04"),
    ("鹤岗市向阳区人民法院", "黑0402"),
    ("鹤岗市工农区人民法院", "黑0403"),
    ("鹤岗市南山区人民法院", "黑0404"),
    ("鹤岗市兴安区人民法院", "黑0405"),
    ("鹤岗市东山区人民法院", "黑0406"),
    ("鹤岗市兴山区人民法院", "黑0407"),
    ("萝北县人民法院", "黑0421"),
    ("绥滨县人民法院", "黑0422"),
)
PERFORMANCE = ("全部未履行", "部分未履行", "全部履行")

OBJECTION_OUTCOMES = ("维持", "更正", "撤销公示", "不予受理")
COMMITMENT_KINDS = ("主动型信用承诺", "行业自律承诺", "证明事项告知承诺")

# (lender, buffer days or None when the bank records none)
LENDERS: tuple[tuple[str, int | None], ...] = (
    ("中国工商银行鹤岗分行", 30),
    ("中国农业银行鹤岗分行", 15),
    ("中国建设银行鹤岗分行", 30),
    ("中国银行鹤岗分行", None),
    ("中国邮政储蓄银行鹤岗市分行", 10),
    ("龙江银行鹤岗分行", 7),
    ("鹤岗农村商业银行", None),
    ("黑龙江萝北农村商业银行", 15),
)

# Provincial special campaigns (专项治理): name, responsible department (short name), start
# (months before T), closing (months before T; None while active).
CAMPAIGNS: tuple[tuple[str, str, int, int | None], ...] = (
    ("拖欠农民工工资失信问题专项治理", "市人社局", 44, 30),
    ("电信网络诈骗失信问题专项治理", "市公安局", 38, 26),
    ("校外培训机构失信问题专项治理", "市教育局", 33, 21),
    ("涉金融领域失信问题专项治理", "市银保监局", 20, 8),
    ("安全生产领域失信问题专项治理", "市应急局", 14, None),
    ("食品药品领域失信问题专项治理", "市市场监管局", 9, None),
    ("交通运输领域失信问题专项治理", "市交通运输局", 5, None),
)

# The 13 prefecture-level units of 黑龙江 (I00), with the national rank they start from five
# years before T and the ranks they gain per year (Hegang: mid-table, improving slowly).
PROVINCE = "黑龙江省"
CITIES: tuple[tuple[str, int, float], ...] = (
    ("哈尔滨市", 72, 3.0),
    ("齐齐哈尔市", 152, 2.0),
    ("牡丹江市", 104, 1.0),
    ("佳木斯市", 141, 2.5),
    ("大庆市", 56, 1.5),
    ("鸡西市", 203, 1.0),
    ("双鸭山市", 214, 0.5),
    ("伊春市", 181, 2.0),
    ("七台河市", 169, -1.0),
    ("鹤岗市", 176, 8.5),
    ("黑河市", 158, 1.0),
    ("绥化市", 193, 3.0),
    ("大兴安岭地区", 232, 1.5),
)
