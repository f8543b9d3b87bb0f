"""Bad XForms: each gets one FormError naming the place, never a traceback or an expansion."""

from __future__ import annotations

import time

import pytest

from forms.errors import FormError, Problem
from forms.xform_reader import read_xform

NS = (
    'xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" '
    'xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms" '
    'xmlns:orx="http://openrosa.org/xforms"'
)


def xform(binds: str = "", body: str = "", instance: str = "<q1/><q2/>", model: str = "") -> str:
    return (
        f"<h:html {NS}><h:head><h:title>T</h:title><model>"
        f'<instance><data id="t">{instance}</data></instance>{binds}{model}'
        f"</model></h:head><h:body>{body}</h:body></h:html>"
    )


def problems(xml: str | bytes) -> list[Problem]:
    with pytest.raises(FormError) as caught:
        read_xform(xml, source_name="bad.xml")
    return caught.value.problems


def test_a_good_minimal_form_reads() -> None:
    form = read_xform(xform('<bind nodeset="/data/q1" type="int"/>', '<input ref="/data/q1"/>'))
    assert form.form_id == "t" and form.warnings == ()


@pytest.mark.parametrize(
    ("xml", "line"),
    [
        (f"<h:html {NS}>\n<h:head>\n<model>\n</h:head></h:html>", 4),
        ("<h:html>\n</h:html>", 1),
        ("<a>\n<b>", 2),
        ("<a></a>\n<b/>", 2),
        ("<a x='1' x='2'/>", 1),
    ],
)
def test_malformed_xml_names_the_line_and_column(xml: str, line: int) -> None:
    (problem,) = problems(xml)
    assert problem.code == "xform.malformed"
    assert problem.place.line == line and problem.place.file == "bad.xml"
    assert problem.params["column"] >= 1
    assert f"line {line}" in str(problem)


def test_truncated_xform_is_malformed() -> None:
    full = xform('<bind nodeset="/data/q1" type="int"/>', '<input ref="/data/q1"/>')
    (problem,) = problems(full[: len(full) // 2])
    assert problem.code == "xform.malformed"


@pytest.mark.parametrize("xml", ["", "   \n", b""])
def test_empty_input(xml: str | bytes) -> None:
    assert [p.code for p in problems(xml)] == ["xform.empty"]


def test_billion_laughs_is_refused_without_expansion() -> None:
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">'
        for i in range(10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><h:html {NS}>&lol9;</h:html>'
    started = time.perf_counter()
    (problem,) = problems(xml)
    assert time.perf_counter() - started < 10, "a hang guard, not a speed test"
    assert problem.code == "xform.entity"
    assert "entit" in problem.message


def test_external_entity_is_refused() -> None:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        f"<h:html {NS}>&ext;</h:html>"
    )
    (problem,) = problems(xml)
    assert problem.code in ("xform.entity", "xform.external_reference")
    assert "passwd" not in str(problem.params.get("value", ""))


def test_not_an_xform() -> None:
    assert [p.code for p in problems("<data><q1/></data>")] == ["xform.not_xform"]
    assert [p.code for p in problems(f"<h:html {NS}><h:head/></h:html>")] == ["xform.no_model"]
    no_instance = f"<h:html {NS}><h:head><model/></h:head></h:html>"
    assert [p.code for p in problems(no_instance)] == ["xform.no_instance"]


def test_unknown_function_names_the_function_and_the_bind() -> None:
    (problem,) = problems(xform('<bind nodeset="/data/q1" relevant="foo( /data/q2 ) = 1"/>'))
    assert problem.code == "xpath.unknown_function"
    assert problem.params["name"] == "foo"
    assert problem.place.field == "/data/q1" and problem.place.column == "relevant"
    assert "foo()" in str(problem) and "/data/q1" in str(problem) and "relevant" in str(problem)


def test_every_bad_expression_is_reported_at_once() -> None:
    binds = (
        '<bind nodeset="/data/q1" constraint=". > > 3" calculate="1 +"/>'
        '<bind nodeset="/data/q2" required="nope(1)" readonly="concat()"/>'
    )
    found = {(p.place.field, p.place.column, p.code) for p in problems(xform(binds))}
    assert ("/data/q1", "constraint", "xpath.syntax") in found
    assert ("/data/q1", "calculate", "xpath.syntax") in found
    assert ("/data/q2", "required", "xpath.unknown_function") in found
    assert len(found) >= 3


def test_bad_expressions_outside_binds_are_placed() -> None:
    body = (
        '<select1 ref="/data/q1"><label>L <output value="1 +"/></label>'
        '<itemset nodeset="instance(\'nope\')/root/item"><value ref="name"/>'
        '<label ref="label"/></itemset></select1>'
        '<repeat nodeset="/data/r" jr:count="(("><input ref="/data/r/x"/></repeat>'
    )
    model = '<setvalue ref="/data/q2" event="odk-instance-first-load" value="bogus()"/>'
    found = {
        (p.place.field, p.place.column, p.code)
        for p in problems(xform(body=body, model=model, instance="<q1/><q2/><r><x/></r>"))
    }
    assert found == {
        ("/data/q1", "label output", "xpath.syntax"),
        ("/data/q1", "itemset", "xpath.unknown_instance"),
        ("/data/r", "jr:count", "xpath.syntax"),
        ("/data/q2", "setvalue value", "xpath.unknown_function"),
    }


def test_a_10000_deep_expression_fails_quickly() -> None:
    deep = "(" * 10_000 + "1" + ")" * 10_000
    started = time.perf_counter()
    (problem,) = problems(xform(f'<bind nodeset="/data/q1" calculate="{deep}"/>'))
    assert time.perf_counter() - started < 10, "a hang guard, not a speed test"
    assert problem.code in ("xpath.too_deep", "xpath.too_long")
    assert problem.place.field == "/data/q1"


def test_a_10000_deep_instance_fails_quickly() -> None:
    nested = "<a>" * 10_000 + "</a>" * 10_000
    started = time.perf_counter()
    (problem,) = problems(xform(instance=nested))
    assert time.perf_counter() - started < 10, "a hang guard, not a speed test"
    assert problem.code == "xform.too_deep"


def test_dangling_references_are_named_by_path() -> None:
    binds = '<bind nodeset="/data/ghost" type="int"/><bind nodeset="/data/q1" type="int"/>'
    body = (
        '<input ref="/data/q1"><label ref="jr:itext(\'missing:label\')"/></input>'
        '<input ref="/data/nowhere"/>'
    )
    model = '<setvalue ref="/data/void" event="odk-instance-first-load" value="1"/>'
    found = {(p.code, p.place.field) for p in problems(xform(binds, body, model=model))}
    assert found == {
        ("xform.bind_missing_node", "/data/ghost"),
        ("xform.control_missing_node", "/data/nowhere"),
        ("xform.action_missing_node", "/data/void"),
        ("xform.itext_missing", "/data/q1"),
    }


def test_an_itext_missing_in_one_language_is_a_warning() -> None:
    itext = (
        '<itext><translation lang="en"><text id="q1:label"><value>Q</value></text></translation>'
        '<translation lang="fr"/></itext>'
    )
    form = read_xform(
        xform(
            model=itext, body='<input ref="/data/q1"><label ref="jr:itext(\'q1:label\')"/></input>'
        )
    )
    (warning,) = form.warnings
    assert warning.code == "xform.itext_incomplete" and warning.params["languages"] == ["fr"]
    assert warning.severity == "warning"


def test_unknown_elements_are_warnings_naming_element_and_parent() -> None:
    model = "<foo/><itext><translation lang='en'><bar/></translation></itext>"
    body = (
        '<input ref="/data/q1"><label>L</label><alert>!</alert></input>'
        '<group ref="/data/q2"><widget/></group><marquee/>'
    )
    form = read_xform(xform(body=body, model=model))
    found = {(w.params["element"], w.params["parent"]) for w in form.warnings}
    assert found == {
        ("foo", "model"),
        ("bar", "translation"),
        ("alert", "input"),
        ("widget", "group"),
        ("marquee", "h:body"),
    }
    assert all(w.code == "xform.unknown_element" for w in form.warnings)
    assert "<marquee>" in str(next(w for w in form.warnings if w.params["element"] == "marquee"))


def test_common_pyxform_extras_are_not_warnings() -> None:
    model = (
        '<odk:setgeopoint ref="/data/q1" event="odk-instance-first-load"/>'
        '<submission action="https://x" method="post" orx:auto-send="true"/>'
    )
    instance = (
        '<q1/><q2/><meta><entity dataset="h" create="1" id=""><label/></entity><instanceID/></meta>'
    )
    binds = (
        '<bind nodeset="/data/meta/entity/@id" type="string" readonly="true()"/>'
        '<bind nodeset="/data/meta/entity/label" type="string" calculate=" /data/q2 "/>'
    )
    form = read_xform(xform(binds, model=model, instance=instance))
    assert form.warnings == ()
    assert form.submission is not None and form.submission["orx:auto-send"] == "true"
    assert form.bind_for("/data/meta/entity/@id") is not None


@pytest.mark.parametrize(
    "text",
    [" /data/q1 ", "/data/g/q_2", "/a", "/data/g-1/x", " /data/q1/", "/data/a:b", "/data/q.1"],
)
def test_the_simple_path_shortcut_agrees_with_the_parser(text: str) -> None:
    from forms.xform_context import parse_expression
    from forms.xpath.parser import parse

    try:
        expected = parse(text)
    except FormError:
        with pytest.raises(FormError):
            parse_expression(text)
        return
    assert parse_expression(text) == expected


def test_utf16_and_harmless_doctype_documents_read() -> None:
    xml = xform('<bind nodeset="/data/q1" type="int"/>', '<input ref="/data/q1"/>')
    assert read_xform(xml.encode("utf-16")).form_id == "t"
    assert read_xform(b"\xef\xbb\xbf" + xml.encode("utf-8")).form_id == "t"
    assert read_xform("<!DOCTYPE html>" + xml).form_id == "t"
