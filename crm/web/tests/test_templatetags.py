"""The fold filter: long notes fold behind 展开全文, short ones show as they are, both escaped."""

from __future__ import annotations

from django.utils import translation

from crm.web.templatetags.web_tags import FOLD_CHARS, fold


def test_a_short_note_shows_as_it_is_with_its_line_breaks_and_escaped():
    html = fold("第一行\n<b>第二行</b>")
    assert html == "第一行<br>&lt;b&gt;第二行&lt;/b&gt;"


def test_a_long_note_folds_behind_a_button_in_the_readers_language():
    text = "很" * (FOLD_CHARS + 1) + "<script>"
    with translation.override("zh-hans"):
        html = fold(text)
    assert "data-fold" in html
    assert "展开全文" in html
    assert 'data-less="收起"' in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    with translation.override("en"):
        assert "Show all" in fold(text)


def test_many_short_lines_fold_too():
    assert "data-fold" in fold("行\n" * 6)
    assert "data-fold" not in fold("行\n" * 3)


def test_nothing_folds_to_nothing():
    assert fold(None) == ""
    assert fold("") == ""
