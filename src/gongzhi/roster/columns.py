"""The roster template: sheets, columns and the fixed Chinese words used in cells. Pure Python, no Django models.

Headers are fixed Chinese strings (the file looks the same whatever the user's language); each column also has a
stable internal key, and a file may use either as its header. Cell vocabularies (用途, 面积来源, 与户关系, 关怀标签)
accept the Chinese word or the internal key; export always writes the Chinese word.
"""

from __future__ import annotations

from dataclasses import dataclass

INSTRUCTIONS_SHEET = "说明"
DWELLINGS_SHEET = "房屋"
PEOPLE_SHEET = "人员"
# English sheet names are accepted too (a file made from the internal keys).
SHEET_ALIASES = {"dwellings": DWELLINGS_SHEET, "people": PEOPLE_SHEET}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str  # Chinese; written to the 说明 sheet


# The dwelling key (community code + compound + building + stairwell + number) opens both sheets.
KEY_COLUMNS = (
    Column(
        "community_code",
        "社区代码",
        True,
        "社区的12位统计用区划代码；社区必须已在系统中；整份文件只能属于一个社区",
    ),
    Column("compound", "小区/居民小组", True, "小区（农村社区为居民小组）名称；不存在时自动创建（见选项）"),
    Column("building", "楼栋", True, "楼栋名称，如“1幢”；不存在时自动创建（见选项）"),
    Column("stairwell", "单元", True, "单元名称，如“1单元”；不存在时自动创建（见选项）"),
    Column("number", "房号", True, "房号，如“101”；同一单元内唯一"),
)

DWELLING_COLUMNS = KEY_COLUMNS + (
    Column("floor", "楼层", False, "整数，可为负（地下室）；可空"),
    Column("use", "用途", False, "住宅 / 商业 / 其他；空为住宅"),
    Column("area", "面积(㎡)", True, "专有部分面积，平方米，最多两位小数"),
    Column(
        "area_source", "面积来源", False, "不动产登记 / 测绘 / 合同（LAW-SPC-8 的优先顺序）；空为不动产登记"
    ),
    Column("is_sold", "已售", False, "是 / 否；空为是"),
    Column("is_delivered", "已交付", False, "是 / 否；空为是"),
    Column("grid", "网格", False, "网格名称，须已在本社区建立；可空"),
)

PEOPLE_COLUMNS = KEY_COLUMNS + (
    Column("name", "姓名", True, "姓名"),
    Column(
        "id_number",
        "身份证号",
        False,
        "18位居民身份证号（校验位检查）；请把此列设为文本格式；身份证号与电话至少填一项",
    ),
    Column("phone", "电话", False, "手机或固定电话，只含数字"),
    Column("relation", "与户关系", False, "业主 / 家庭成员 / 租户；空表示不在此居住（例如只登记产权人）"),
    Column("is_representative", "户代表", False, "是 / 否；每户至多一名，须在此居住"),
    Column("is_owner", "产权人", False, "是 / 否；共有人各占一行"),
    Column("owner_since", "产权起始日期", False, "YYYY-MM-DD；空时取入住日期，再空取导入当天"),
    Column("moved_in", "入住日期", False, "YYYY-MM-DD；空取导入当天"),
    Column("is_party_member", "党员", False, "是 / 否；空为否"),
    Column("tags", "关怀标签", False, "多个用顿号“、”分隔，取值见下表；导入只增加标签，不删除"),
)

SHEET_COLUMNS = {DWELLINGS_SHEET: DWELLING_COLUMNS, PEOPLE_SHEET: PEOPLE_COLUMNS}

# Starts the watermark band above the header of an exported sheet; the importer skips a row starting with it.
WATERMARK_MARK = "〔共治导出水印〕"

YES_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
NO_WORDS = frozenset({"否", "n", "no", "false", "0", "×"})

USE_WORDS = {"住宅": "residential", "商业": "commercial", "其他": "other"}
AREA_SOURCE_WORDS = {"不动产登记": "register", "登记": "register", "测绘": "survey", "合同": "contract"}
RELATION_WORDS = {"业主": "owner", "家庭成员": "family", "家属": "family", "租户": "tenant"}
CARE_TAG_WORDS = {
    "独居老人": "elderly_alone",
    "失独老人": "elderly_lost_child",
    "困难老人": "elderly_hardship",
    "残疾人": "disabled",
    "困境儿童": "minor_hardship",
    "低保户": "dibao",
    "特困人员": "tekun",
    "优抚对象": "entitled_group",
    "失业人员": "unemployed",
    "重点人员": "key_person",
    "流动人口": "migrant",
    "留守人员": "left_behind",
}
TAG_SEPARATORS = "、,，;；/ "


def first_word(words: dict[str, str], key: str) -> str:
    """The Chinese word export writes for an internal key (the first listed)."""
    return next(word for word, value in words.items() if value == key)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet column names, for the error report)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters
