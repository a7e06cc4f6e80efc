from __future__ import annotations

import time

import pytest

from newsflow.extract.markup import html_to_text, looks_like_html

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Budget agreed | The Daily</title>
<style>p { color: red }</style><script>var ad = '<p>advert</p>';</script></head>
<body><!-- exported <p>by CMS</p> --><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Minister &amp; mayor agree <em>new</em> budget</h1>
<p class="standfirst">The deal, a &ldquo;first&rdquo;, ends a long row.</p>
<p>Second
   paragraph, wrapped in the source, with &lt;p&gt; escaped and a&nbsp;space.</p>
<ul><li>First point</li><li>Second point</li></ul>
</article></body></html>
"""


def test_html_document_becomes_blank_line_layout() -> None:
    assert html_to_text(PAGE) == (
        "Minister & mayor agree new budget\n\n"
        "The deal, a \u201cfirst\u201d, ends a long row.\n\n"
        "Second paragraph, wrapped in the source, with <p> escaped and a space.\n\n"
        "First point\n\n"
        "Second point\n"
    )


def test_title_is_the_headline_without_h1() -> None:
    page = "<html><head><title>Only &quot;title&quot;</title></head><body><p>Body.</p><br/><p>More.</p></body></html>"
    assert html_to_text(page) == 'Only "title"\n\nBody.\n\nMore.\n'


def test_fragment_of_paragraphs() -> None:
    fragment = "<p><b>Headline here</b></p>\n<p>First <i>para</i>.<br>Line two.</p>\n<p>Third.</p>\n"
    assert looks_like_html(fragment)
    assert html_to_text(fragment) == "Headline here\n\nFirst para.\n\nLine two.\n\nThird.\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<!DOCTYPE html><p>x</p>", True),
        ("\ufeff  <HTML><body>x</body></HTML>", True),
        ('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"></html>', True),
        ("Headline\n\nA body that says 3 < 4 and 5 > 2.\n", False),
        ("Tags\n\nUse <p> to open and </p> to close.\n\nProse.\n\nMore prose.\n", False),
        ("Headline\n\nOne line with <br> in it.\n", False),
    ],
)
def test_detection(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


@pytest.mark.parametrize("opener", ["<script>", "<!--", "<style>", "<title>", "<![CDATA["])
def test_unclosed_invisible_element_drops_the_rest_in_linear_time(opener: str) -> None:
    hostile = "<html><body><h1>Kept headline</h1><p>Kept.</p>" + opener * 200_000
    clock = time.perf_counter()
    assert html_to_text(hostile) == "Kept headline\n\nKept.\n"
    assert time.perf_counter() - clock < 2.0


def test_entities_are_unescaped_after_tags_are_removed() -> None:
    assert html_to_text("<p>&lt;b&gt;not bold&lt;/b&gt; &amp;amp; &#x27;x&#39; &#0;</p><p>y</p>") == (
        "<b>not bold</b> &amp; 'x' \ufffd\n\ny\n"
    )
