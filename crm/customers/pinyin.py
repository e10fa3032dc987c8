"""Pinyin keys for searching Chinese names by initials (``zsf``) or full pinyin (``zhangsan``).

pypinyin gives the reading of each character in context. Surnames are the known weak spot: a
handful of common surnames are read differently as surnames than as words (曾 zeng not ceng,
单 shan not dan, 解 xie not jie …). That short table is domain knowledge no library carries, so
it lives here; both readings are indexed so either spelling finds the person.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.constants import PHRASES_DICT

# 多音字姓氏: the reading as a surname.
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "种": "chong",
    "覃": "qin",
    "尉": "yu",
    "缪": "miao",
    "繁": "po",
    "翟": "zhai",
    "纪": "ji",
    "宓": "mi",
    "隗": "wei",
    "秘": "bi",
    "长": "chang",
    "员": "yun",
    "沈": "shen",
    "冼": "xian",
    "召": "shao",
    "相": "xiang",
    "折": "she",
    "令狐": "ling hu",
    "万俟": "mo qi",
    "尉迟": "yu chi",
    "澹台": "tan tai",
    "黑": "he",
    "蕃": "pi",
    "句": "gou",
    "能": "nai",
    "卜": "bu",
    "贲": "ben",
    "都": "du",
    "应": "ying",
    "佴": "nai",
}

_HAN = re.compile(r"[\u3400-\u9fff]")
_MAX_VARIANTS = 4


def _readings(text: str) -> list[str]:
    """Each character's reading in context. pypinyin reads a text by the phrases of its
    dictionary (重庆 chong qing, not zhong qing) and any other character alone; a text holding
    no such phrase is read character by character, from a memo (an import reads a hundred
    thousand names: the segmentation was most of their cost)."""
    if _has_phrase(text):
        return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore")]
    out: list[str] = []
    for char in text:
        out += _char_readings(char)
    return out


@lru_cache(maxsize=30_000)
def _char_readings(char: str) -> tuple[str, ...]:
    return tuple(s.lower() for s in lazy_pinyin(char, style=Style.NORMAL, errors="ignore"))


@lru_cache(maxsize=30_000)
def _heteronyms(char: str) -> tuple[str, ...]:
    """Every reading of one character (a memo, as ``_char_readings``)."""
    return tuple(pinyin(char, style=Style.NORMAL, heteronym=True)[0])


_LONGEST_PHRASE = max(map(len, PHRASES_DICT))


def _has_phrase(text: str) -> bool:
    n = len(text)
    return any(
        text[i:j] in PHRASES_DICT
        for i in range(n - 1)
        for j in range(i + 2, min(n, i + _LONGEST_PHRASE) + 1)
    )


@lru_cache(maxsize=50_000)
def pinyin_keys(name: str) -> tuple[str, ...]:
    """Search keys for ``name``: for each reading variant its initials and its full pinyin.

    ``pinyin_keys("张三丰") == ("zsf", "zhangsanfeng")``; ``曾`` yields both ``zeng…`` and
    ``ceng…`` variants. Non-Chinese names yield nothing (they are searched by letters).
    """
    text = name.strip()
    if not _HAN.search(text):
        return ()
    surname = ""
    for length in (2, 1):
        if text[:length] in SURNAME_READINGS:
            surname = text[:length]
            break
    rest = _readings(text[len(surname) :]) if surname else []
    variants: list[list[str]] = []
    if surname:
        variants.append([*SURNAME_READINGS[surname].split(), *rest])
    variants.append(_readings(text))
    if not surname and _HAN.match(text[0]):
        # a heteronym first character outside the table: index its other readings too
        rest = variants[0][1:]
        for reading in _heteronyms(text[0]):
            if reading != variants[0][0]:
                variants.append([reading, *rest])
    keys: list[str] = []
    for syllables in variants[:_MAX_VARIANTS]:
        syllables = [s for s in syllables if s.isalpha()]
        if not syllables:
            continue
        for key in ("".join(s[0] for s in syllables), "".join(syllables)):
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def query_key(q: str) -> str:
    """Normalise what the user typed (``Zhang San``) into a key to prefix-match."""
    return re.sub(r"[^a-z]", "", q.lower())
