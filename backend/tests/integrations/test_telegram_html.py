"""Telegram HTML is checked like Telegram does, before anything is sent."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from app.integrations.telegram.html import (
    TelegramHtml,
    TelegramHtmlError,
    check_message,
    parse,
    telegram_length,
)
from fakes.telegram import plain_text


class TestValid:
    @pytest.mark.parametrize(
        ("text", "plain"),
        [
            ("plain text", "plain text"),
            ("<b>bold</b> <strong>x</strong> <i>i</i><em>e</em><u>u</u><ins>n</ins>", "bold x ieun"),
            ("<s>a</s><strike>b</strike><del>c</del>", "abc"),
            ('<span class="tg-spoiler">spoiler</span> <tg-spoiler>too</tg-spoiler>', "spoiler too"),
            ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
            ("<a href='tg://user?id=1'>me</a>", "me"),
            ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
            ("<code>x &lt; y</code>", "x < y"),
            ('<pre><code class="language-python">print(1)</code></pre>', "print(1)"),
            ("<blockquote expandable>quote</blockquote>", "quote"),
            ("<b>bold <i>italic <u>under</u></i></b>", "bold italic under"),
            ("&amp; &quot;q&quot; &#128512; &#x1F600; 5 &gt; 3 > 2", '& "q" 😀 😀 5 > 3 > 2'),
            ("<B>upper</B>", "upper"),
        ],
    )
    def test_accepted_and_rendered(self, text: str, plain: str) -> None:
        assert parse(text).plain == plain

    def test_agrees_with_the_emulator(self) -> None:
        text = '<b>Скидка</b> &amp; <a href="https://x.test">ссылка</a> <code>a&lt;b</code>'
        assert parse(text).plain == plain_text(text, "HTML")

    def test_length_counts_utf16_units(self) -> None:
        assert telegram_length("abc") == 3
        assert telegram_length("😀") == 2
        assert parse("<b>😀</b>").length == 2


class TestInvalid:
    @pytest.mark.parametrize(
        ("text", "fragment"),
        [
            ("<div>x</div>", "<div> is not supported"),
            ("<b>never closed", "<b> is never closed"),
            ("<b><i>x</b></i>", "</b> at position 7 does not match: expected </i>"),
            ("</b>", "expected no closing tag"),
            ("a < b", 'unescaped "<"'),
            ("R&D", 'unescaped "&"'),
            ("&nbsp;", 'unescaped "&"'),
            ('<b class="x">x</b>', 'cannot have the attribute "class"'),
            ("<a>x</a>", 'needs the attribute "href"'),
            ('<a href="javascript:alert(1)">x</a>', "http(s), tg:// or mailto:"),
            ('<span class="red">x</span>', 'only <span class="tg-spoiler">'),
            ('<tg-emoji emoji-id="abc">x</tg-emoji>', "must be a number"),
            ('<code class="language-py">x</code>', "only on <code> inside <pre>"),
            ('<pre><code class="py">x</code></pre>', "language-python"),
            ("<pre><b>x</b></pre>", "cannot contain other formatting"),
            ("<code><b>x</b></code>", "cannot contain other formatting"),
            ("<blockquote><blockquote>x</blockquote></blockquote>", "cannot be nested"),
            ('<a href="https://a.b"><a href="https://c.d">x</a></a>', "links cannot be nested"),
            ("<br/>", "<br> is not supported"),
            ("<b/>", "pair of tags"),
            ('<blockquote expandable="yes">x</blockquote>', "takes no value"),
            ("<b>x</b x>", "cannot have attributes"),
        ],
    )
    def test_refused_with_a_reason(self, text: str, fragment: str) -> None:
        with pytest.raises(TelegramHtmlError) as exc:
            parse(text)
        assert fragment in str(exc.value)

    def test_limits(self) -> None:
        assert check_message("x" * 4096) == "x" * 4096
        with pytest.raises(TelegramHtmlError, match="4097 characters"):
            check_message("<b>" + "x" * 4097 + "</b>")
        with pytest.raises(TelegramHtmlError, match="4098 characters"):
            check_message("😀" * 2049)
        with pytest.raises(TelegramHtmlError, match="no visible text"):
            check_message("<b> </b>")

    def test_as_a_pydantic_field(self) -> None:
        class Body(BaseModel):
            text: TelegramHtml

        assert Body(text="<b>ok</b>").text == "<b>ok</b>"
        with pytest.raises(ValidationError, match="is not supported"):
            Body(text="<script>x</script>")
