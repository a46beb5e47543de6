"""Chinese place and person names for demo data (pure Python, no Django).

District codes are the real 6-digit administrative division codes; street and community names are
plausible, not a copy of the official lists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class DistrictSeed:
    name: str
    code: str
    pack: str
    streets: tuple[str, ...]


# One district per city pack first, so even the smallest data set exercises every pack; more follow at scale.
DISTRICTS = (
    DistrictSeed(
        "吴兴区",
        "330502",
        "huzhou",
        ("月河", "朝阳", "爱山", "飞英", "龙泉", "凤凰", "康山", "仁皇山", "滨湖", "杨家埠"),
    ),
    DistrictSeed(
        "海曙区",
        "330203",
        "ningbo",
        ("南门", "江厦", "西门", "月湖", "鼓楼", "白云", "段塘", "望春", "石碶", "集士港"),
    ),
    DistrictSeed(
        "运河区",
        "130903",
        "cangzhou",
        ("水月寺", "南环中路", "西环中路", "市场", "公园", "小王庄", "南陈屯", "高新", "北京路", "解放路"),
    ),
    DistrictSeed(
        "滨城区",
        "371602",
        "binzhou",
        ("市中", "市西", "北镇", "市东", "彭李", "小营", "杜店", "沙河", "里则", "梁才"),
    ),
    DistrictSeed(
        "南浔区",
        "330503",
        "huzhou",
        ("南浔", "练市", "双林", "菱湖", "和孚", "千金", "石淙", "善琏", "旧馆", "东迁"),
    ),
    DistrictSeed(
        "鄞州区",
        "330212",
        "ningbo",
        ("潘火", "首南", "中河", "钟公庙", "下应", "明楼", "白鹤", "百丈", "东胜", "东柳"),
    ),
    DistrictSeed(
        "新华区",
        "130902",
        "cangzhou",
        ("建设北街", "车站", "南大道", "西环", "东环", "小赵庄", "道东", "长芦", "运东", "工业园"),
    ),
    DistrictSeed(
        "沾化区",
        "371603",
        "binzhou",
        ("富国", "富源", "下洼", "古城", "冯家", "泊头", "大高", "黄升", "滨海", "下河"),
    ),
)

COMMUNITY_WORDS = (
    "明珠",
    "和平",
    "幸福",
    "阳光",
    "东风",
    "春晖",
    "金桥",
    "翠苑",
    "青年",
    "花园",
    "新华",
    "光明",
    "长庆",
    "文昌",
    "锦绣",
    "丁香",
    "百合",
    "紫金",
    "安居",
    "富民",
    "滨河",
    "桃源",
    "梅林",
    "清河",
    "兴业",
    "德胜",
    "凤栖",
    "星光",
)
VILLAGE_WORDS = (
    "李家",
    "王庄",
    "张湾",
    "陈家",
    "何村",
    "高桥",
    "石桥",
    "杨树",
    "孙庄",
    "柳河",
    "刘寨",
    "马家",
)
COMPOUND_WORDS = (
    "锦绣",
    "碧水",
    "金色",
    "阳光",
    "翠湖",
    "华府",
    "御景",
    "绿城",
    "香樟",
    "丽都",
    "世纪",
    "龙湖",
    "滨江",
    "书香",
    "观澜",
    "紫薇",
    "海棠",
    "枫林",
    "银杏",
    "和顺",
    "恒大",
    "万科",
    "星河",
    "东方",
    "天成",
    "桂语",
    "云栖",
    "湖畔",
)
COMPOUND_SUFFIXES = ("花园", "小区", "家园", "苑", "新村", "公寓", "华庭", "名邸", "佳园", "府")
CLUSTER_NAMES = ("东苑组团", "西苑组团", "南苑组团", "北苑组团")
CHINESE_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

# Common surnames roughly by frequency (the first ones repeated to weight them).
SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆亮建国志成龙文博海东晨阳峰子轩宏"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰燕萍红琳雪梅洁慧颖婷倩雯佳欣怡悦蕾晶淑珍琴云璐"
SOCIAL_ORG_NAMES = ("志愿服务队", "文艺队", "老年协会", "邻里互助会", "书画社", "太极拳队")
PROPERTY_COMPANY_NAMES = (
    "绿城物业",
    "万科物业",
    "碧桂园服务",
    "保利物业",
    "中海物业",
    "龙湖智创",
    "金科服务",
    "本地物业",
)

# Places of household registration for migrant residents (other provinces' county codes).
MIGRANT_AREAS = ("341202", "411302", "360121", "510722", "430521", "522401", "412722", "342623")


def numeral(n: int) -> str:
    """1..99 in Chinese numerals (第三, 第十二)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def street_name(district: DistrictSeed, index: int) -> str:
    base = district.streets[index % len(district.streets)]
    return (
        f"{base}街道"
        if index < len(district.streets)
        else f"{base}第{numeral(index // len(district.streets) + 1)}街道"
    )


def unique_name(rng: random.Random, words: tuple[str, ...], suffix: str, taken: set[str]) -> str:
    """A word + suffix not yet in `taken` (falls back to numbered variants: 明珠二社区)."""
    for _attempt in range(20):
        name = rng.choice(words) + suffix
        if name not in taken:
            taken.add(name)
            return name
    n = 2
    base = rng.choice(words)
    while f"{base}{numeral(n)}{suffix}" in taken:
        n += 1
    name = f"{base}{numeral(n)}{suffix}"
    taken.add(name)
    return name
