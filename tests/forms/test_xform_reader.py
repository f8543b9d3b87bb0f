"""Reading hand-written XForms: every construct the session and the UI rely on."""

from __future__ import annotations

import dataclasses

import pytest

from forms.definition import Control, FormDefinition, Label, Output
from forms.xform_attachments import load_csv_instance, load_geojson_instance, load_xml_instance
from forms.xform_reader import read_xform
from forms.xpath import ast

HEAD = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:ev="http://www.w3.org/2001/xml-events" xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"
  xmlns:odk="http://www.opendatakit.org/xforms">"""

FORM = (
    HEAD
    + """
<h:head>
  <h:title>Household</h:title>
  <model odk:xforms-version="1.0.0">
    <itext>
      <translation lang="English (en)" default="true()">
        <text id="/data/age:label">
          <value>Age of <output value=" /data/name "/>?</value>
          <value form="image">jr://images/age.png</value>
          <value form="audio">jr://audio/age.mp3</value>
          <value form="video">jr://video/age.mp4</value>
          <value form="big-image">jr://images/age-big.png</value>
        </text>
        <text id="/data/age:hint">
          <value>In years</value>
          <value form="guidance">Ask for the ID card</value>
        </text>
        <text id="/data/age:constraintMsg"><value>Too old</value></text>
        <text id="/data/age:short"><value form="short">Age</value><value form="long">Age long</value></text>
        <text id="yn-0"><value>Yes</value></text>
        <text id="yn-1"><value>No</value></text>
      </translation>
      <translation lang="French (fr)">
        <text id="/data/age:label"><value>Âge de <output value=" /data/name "/> ?</value></text>
        <text id="/data/age:hint"><value>En années</value></text>
        <text id="/data/age:constraintMsg"><value>Trop vieux</value></text>
        <text id="/data/age:short"><value form="short">Âge</value></text>
        <text id="yn-0"><value>Oui</value></text>
        <text id="yn-1"><value>Non</value></text>
      </translation>
    </itext>
    <instance>
      <data id="household" version="2024-05">
        <start/>
        <name/>
        <age>30</age>
        <yn/>
        <city/>
        <colors/>
        <rank/>
        <score/>
        <photo/>
        <ok/>
        <pin/>
        <loc/>
        <section><a/><b/></section>
        <hh_count/>
        <member jr:template="">
          <mname/>
          <plot jr:template=""><area/></plot>
        </member>
        <fixed jr:template=""><f/></fixed>
        <fixed><f/></fixed>
        <meta><instanceID/><instanceName/></meta>
      </data>
    </instance>
    <instance id="yn">
      <root>
        <item><itextId>yn-0</itextId><name>yes</name></item>
        <item><itextId>yn-1</itextId><name>no</name></item>
      </root>
    </instance>
    <instance id="cities">
      <root>
        <item><name>paris</name><label>Paris</label><yn>yes</yn></item>
        <item><name>lyon</name><label>Lyon</label><yn>no</yn></item>
      </root>
    </instance>
    <instance id="towns" src="jr://file-csv/towns.csv"/>
    <instance id="villages" src="jr://file/villages.xml"/>
    <instance id="logo" src="jr://images/logo.png"/>
    <bind nodeset="/data/start" type="dateTime" jr:preload="timestamp" jr:preloadParams="start"/>
    <bind nodeset="/data/name" type="string" required="true()" jr:requiredMsg="Name please"
          saveIncomplete="true()"/>
    <bind nodeset="/data/age" type="int" relevant=" /data/name  != ''"
          constraint=". &lt; 120" jr:constraintMsg="jr:itext('/data/age:constraintMsg')"
          orx:max-pixels="1024"/>
    <bind nodeset="/data/yn" type="string"/>
    <bind nodeset="/data/city" type="string"/>
    <bind nodeset="/data/colors" type="string"/>
    <bind nodeset="/data/rank" type="odk:rank"/>
    <bind nodeset="/data/score" type="xsd:decimal"/>
    <bind nodeset="/data/photo" type="binary"/>
    <bind nodeset="/data/ok" type="string" readonly="true()"/>
    <bind nodeset="/data/pin" type="string"/>
    <bind nodeset="/data/loc" type="geopoint"/>
    <bind nodeset="/data/section/a" type="date"/>
    <bind nodeset="/data/hh_count" type="int" calculate=" /data/age  div 10"/>
    <bind nodeset="/data/member/mname" type="string"/>
    <bind nodeset="/data/member/plot/area" type="decimal"/>
    <bind nodeset="/data/fixed/f" type="string"/>
    <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
    <bind nodeset="/data/meta/instanceName" type="string"
          calculate="concat('hh-',  /data/name )"/>
    <setvalue ref="/data/section/b" event="odk-instance-first-load" value="today()"/>
    <setvalue ref="/data/pin" event="odk-instance-first-load">1234</setvalue>
    <odk:setgeopoint ref="/data/loc" event="odk-instance-first-load"/>
  </model>
</h:head>
<h:body>
  <input ref="/data/name">
    <label>Name</label>
    <hint>Say hello to <output value=" /data/pin "/></hint>
  </input>
  <input ref="/data/age" appearance="numbers">
    <label ref="jr:itext('/data/age:label')"/>
    <hint ref="jr:itext('/data/age:hint')"/>
    <setvalue event="xforms-value-changed" ref="/data/section/b" value="now()"/>
    <odk:setgeopoint event="xforms-value-changed" ref="/data/loc"/>
  </input>
  <select1 ref="/data/yn" appearance="minimal">
    <label>Yes or no</label>
    <itemset nodeset="instance('yn')/root/item">
      <value ref="name"/>
      <label ref="jr:itext(itextId)"/>
    </itemset>
  </select1>
  <select1 ref="/data/city" autoplay="audio">
    <label>City</label>
    <itemset nodeset="instance('cities')/root/item[yn= /data/yn ]">
      <value ref="name"/>
      <label ref="label"/>
    </itemset>
  </select1>
  <select ref="/data/colors">
    <label>Colours</label>
    <item><label>Red</label><value>red</value></item>
    <item><label>Blue <output value=" /data/name "/></label><value>blue</value></item>
  </select>
  <odk:rank ref="/data/rank">
    <label>Rank</label>
    <item><label>A</label><value>a</value></item>
    <item><label>B</label><value>b</value></item>
  </odk:rank>
  <range ref="/data/score" start="0.5" end="5.5" step="0.5" appearance="rating">
    <label>Score</label>
  </range>
  <upload ref="/data/photo" mediatype="image/*"><label>Photo</label></upload>
  <trigger ref="/data/ok"><label>OK?</label></trigger>
  <secret ref="/data/pin"><label>PIN</label></secret>
  <input ref="/data/loc"><label>Where</label></input>
  <group ref="/data/section" appearance="field-list">
    <label>Section</label>
    <input ref="a"><label>A</label></input>
    <input ref="/data/section/b"><label>B</label></input>
  </group>
  <group ref="/data/member">
    <label>Members</label>
    <repeat nodeset="/data/member" jr:count=" /data/hh_count " appearance="field-list">
      <setvalue event="odk-new-repeat" ref="/data/member/mname" value="concat('m', position(..))"/>
      <input ref="/data/member/mname"><label>Member name</label></input>
      <group ref="/data/member/plot">
        <label>Plots</label>
        <repeat nodeset="/data/member/plot">
          <input ref="/data/member/plot/area"><label>Area</label></input>
        </repeat>
      </group>
    </repeat>
  </group>
  <repeat nodeset="/data/fixed" jr:noAddRemove="true()">
    <input ref="/data/fixed/f"><label>F</label></input>
  </repeat>
</h:body>
</h:html>
"""
)


@pytest.fixture(scope="module")
def form() -> FormDefinition:
    return read_xform(FORM, source_name="household.xml")


def control(form: FormDefinition, path: str) -> Control:
    found = form.control_for(path)
    assert found is not None, path
    return found


def test_header(form: FormDefinition) -> None:
    assert (form.form_id, form.version, form.title) == ("household", "2024-05", "Household")
    assert form.instance_name is not None
    assert form.instance_name.text == "concat('hh-',  /data/name )"
    assert form.attributes["odk:xforms-version"] == "1.0.0"
    assert form.warnings == ()


def test_bind_attributes_are_typed_and_parsed(form: FormDefinition) -> None:
    age = form.bind_for("/data/age")
    assert age is not None
    assert age.type == "int" and age.datatype == "int"
    assert age.relevant is not None and age.relevant.text == " /data/name  != ''"
    assert isinstance(age.relevant.ast, ast.Binary)
    assert age.constraint is not None and age.constraint.text == ". < 120"
    assert age.constraint_msg == Label(itext_id="/data/age:constraintMsg")
    assert age.attributes["orx:max-pixels"] == "1024"

    name = form.bind_for("/data/name")
    assert name is not None and name.required is not None
    assert name.required_msg == Label(parts=("Name please",))
    assert name.save_incomplete is not None and name.save_incomplete.text == "true()"

    ok = form.bind_for("/data/ok")
    assert ok is not None and ok.readonly is not None and ok.readonly.text == "true()"
    count = form.bind_for("/data/hh_count")
    assert count is not None and count.calculate is not None
    assert isinstance(count.calculate.ast, ast.Binary) and count.calculate.ast.op == "div"


def test_type_prefixes_are_normalized(form: FormDefinition) -> None:
    score = form.bind_for("/data/score")
    rank = form.bind_for("/data/rank")
    assert score is not None and score.type == "xsd:decimal" and score.datatype == "decimal"
    assert rank is not None and rank.datatype == "odk:rank"


def test_preloads(form: FormDefinition) -> None:
    start = form.bind_for("/data/start")
    uid = form.bind_for("/data/meta/instanceID")
    assert start is not None and (start.preload, start.preload_params) == ("timestamp", "start")
    assert uid is not None and (uid.preload, uid.preload_params) == ("uid", None)


def test_actions_with_events_values_and_owners(form: FormDefinition) -> None:
    summary = [
        (a.kind, a.events, a.ref, a.value.text if a.value else a.literal, a.control)
        for a in form.actions
    ]
    assert summary == [
        ("setvalue", ("odk-instance-first-load",), "/data/section/b", "today()", None),
        ("setvalue", ("odk-instance-first-load",), "/data/pin", "1234", None),
        ("setgeopoint", ("odk-instance-first-load",), "/data/loc", None, None),
        ("setvalue", ("xforms-value-changed",), "/data/section/b", "now()", "/data/age"),
        ("setgeopoint", ("xforms-value-changed",), "/data/loc", None, "/data/age"),
        ("setvalue", ("odk-new-repeat",), "/data/member/mname", "concat('m', position(..))",
         "/data/member"),
    ]  # fmt: skip
    assert [a.ref for a in control(form, "/data/age").actions] == ["/data/section/b", "/data/loc"]
    assert len(form.actions_for("odk-new-repeat")) == 1
    assert control(form, "/data/member").actions[0].events == ("odk-new-repeat",)


def test_every_control_type_in_document_order(form: FormDefinition) -> None:
    kinds = [(c.kind, c.ref) for c in form.controls()]
    assert kinds == [
        ("input", "/data/name"),
        ("input", "/data/age"),
        ("select1", "/data/yn"),
        ("select1", "/data/city"),
        ("select", "/data/colors"),
        ("rank", "/data/rank"),
        ("range", "/data/score"),
        ("upload", "/data/photo"),
        ("trigger", "/data/ok"),
        ("secret", "/data/pin"),
        ("input", "/data/loc"),
        ("group", "/data/section"),
        ("input", "/data/section/a"),
        ("input", "/data/section/b"),
        ("group", "/data/member"),
        ("repeat", "/data/member"),
        ("input", "/data/member/mname"),
        ("group", "/data/member/plot"),
        ("repeat", "/data/member/plot"),
        ("input", "/data/member/plot/area"),
        ("repeat", "/data/fixed"),
        ("input", "/data/fixed/f"),
    ]
    assert control(form, "/data/rank").tag == "odk:rank"
    assert control(form, "/data/age").bind is form.bind_for("/data/age")


def test_control_attributes(form: FormDefinition) -> None:
    assert control(form, "/data/score").range == ("0.5", "5.5", "0.5")
    assert control(form, "/data/score").appearance == "rating"
    assert control(form, "/data/photo").mediatype == "image/*"
    assert control(form, "/data/city").autoplay == "audio"
    assert control(form, "/data/name").range is None


def test_groups_and_field_lists(form: FormDefinition) -> None:
    section = control(form, "/data/section")
    assert section.kind == "group" and section.is_field_list
    assert section.label == Label(parts=("Section",))
    assert [c.ref for c in section.children] == ["/data/section/a", "/data/section/b"]


def test_repeats(form: FormDefinition) -> None:
    member = control(form, "/data/member")
    assert member.kind == "repeat" and member.is_field_list
    assert member.count is not None and member.count.text == " /data/hh_count "
    assert member.no_add_remove is None
    fixed = control(form, "/data/fixed")
    assert fixed.no_add_remove is not None and fixed.no_add_remove.text == "true()"
    plot = control(form, "/data/member/plot")
    assert plot.kind == "repeat"
    assert form.repeat_paths == {"/data/member", "/data/member/plot", "/data/fixed"}


def test_labels_hints_and_outputs(form: FormDefinition) -> None:
    name = control(form, "/data/name")
    assert name.label == Label(parts=("Name",))
    assert name.hint is not None
    hint_text, output = name.hint.parts
    assert hint_text == "Say hello to "
    assert isinstance(output, Output) and output.value.text == " /data/pin "
    age = control(form, "/data/age")
    assert age.label == Label(itext_id="/data/age:label")


def test_inline_items(form: FormDefinition) -> None:
    colors = control(form, "/data/colors")
    assert [i.value for i in colors.items] == ["red", "blue"]
    assert colors.items[0].label == Label(parts=("Red",))
    blue = colors.items[1].label
    assert blue is not None and isinstance(blue.parts[1], Output)
    assert [i.value for i in control(form, "/data/rank").items] == ["a", "b"]


def test_itemsets_with_itext_labels_and_choice_filters(form: FormDefinition) -> None:
    yn = control(form, "/data/yn").itemset
    assert yn is not None and yn.instance_id == "yn"
    assert yn.value.text == "name"
    assert yn.label is not None and yn.label.ref is not None
    assert yn.label.ref.text == "jr:itext(itextId)"
    city = control(form, "/data/city").itemset
    assert city is not None and city.instance_id == "cities"
    assert city.nodeset.text == "instance('cities')/root/item[yn= /data/yn ]"
    assert isinstance(city.nodeset.ast, ast.Filter)
    assert city.label is not None and city.label.ref is not None and city.label.ref.text == "label"


def test_translations(form: FormDefinition) -> None:
    assert form.languages == ("English (en)", "French (fr)")
    assert form.default_language == "English (en)"
    english = form.text("/data/age:label")
    assert english is not None
    assert english[0] == "Age of " and english[2] == "?"
    assert isinstance(english[1], Output) and english[1].value.text == " /data/name "
    french = form.text("/data/age:label", "French (fr)")
    assert french is not None and french[0] == "Âge de "
    assert form.text("/data/age:short", form="short") == ("Age",)
    assert form.text("/data/age:short", "French (fr)", "short") == ("Âge",)
    assert form.text("/data/age:short", form="long") == ("Age long",)
    assert form.text("/data/nope") is None
    assert form.text("/data/age:label", "Klingon") is None


def test_media_and_guidance(form: FormDefinition) -> None:
    assert dict(form.media("/data/age:label")) == {
        "image": "jr://images/age.png",
        "big-image": "jr://images/age-big.png",
        "audio": "jr://audio/age.mp3",
        "video": "jr://video/age.mp4",
    }
    assert dict(form.media("/data/age:label", "French (fr)")) == {}
    age = control(form, "/data/age")
    assert form.guidance_hint(age) == ("Ask for the ID card",)
    assert form.guidance_hint(age, "French (fr)") is None


def test_inline_secondary_instance_documents(form: FormDefinition) -> None:
    cities = form.secondary_instance("cities")
    assert cities is not None and cities.kind == "inline"
    doc = cities.document()
    root = doc.children[0]
    assert [item.child("name").text for item in root.children] == ["paris", "lyon"]  # type: ignore[union-attr]
    assert doc.children[0].children[0].path() == "/root/item"
    again = cities.document()
    root.children.clear()
    assert len(again.children[0].children) == 2


def test_external_secondary_instances(form: FormDefinition) -> None:
    kinds = {i.id: (i.kind, i.filename) for i in form.secondary_instances if i.src}
    assert kinds == {
        "towns": ("csv", "towns.csv"),
        "villages": ("xml", "villages.xml"),
        "logo": ("other", "logo.png"),
    }
    towns = form.secondary_instance("towns")
    assert towns is not None
    with pytest.raises(ValueError):
        towns.document()
    doc = towns.load(b'\xef\xbb\xbfname,label\nparis,Paris\nlyon,"Lyon, France"\n')
    items = doc.children[0].children
    assert [(i.child("name").text, i.child("label").text) for i in items] == [  # type: ignore[union-attr]
        ("paris", "Paris"),
        ("lyon", "Lyon, France"),
    ]
    villages = form.secondary_instance("villages")
    assert villages is not None
    vdoc = villages.load("<root><item><name>v1</name></item></root>")
    assert vdoc.children[0].children[0].child("name").text == "v1"  # type: ignore[union-attr]


def test_load_csv_instance_fills_short_rows_and_skips_blank_lines() -> None:
    doc = load_csv_instance("a,b\n1\n\n2,3\n")
    rows = [[c.text for c in item.children] for item in doc.children[0].children]
    assert rows == [["1", ""], ["2", "3"]]


def test_load_xml_and_geojson_instances() -> None:
    doc = load_xml_instance(b'<root><item id="1">x</item></root>')
    assert doc.children[0].children[0].attrs == {"id": "1"}
    geo = load_geojson_instance(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "id": 7,'
        ' "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},'
        ' "properties": {"name": "Paris"}}]}'
    )
    item = geo.children[0].children[0]
    assert [(c.name, c.text) for c in item.children] == [
        ("geometry", "48.85 2.35 0 0"),
        ("id", "7"),
        ("name", "Paris"),
    ]


def test_new_instance_tree_sets_datatypes_and_leaves_out_templates(form: FormDefinition) -> None:
    doc = form.new_instance_tree()
    root = doc.children[0]
    assert root.path() == "/data" and root.attrs == {"id": "household", "version": "2024-05"}
    by_path = {n.path(): n for n in doc.iter()}
    assert by_path["/data/age"].datatype == "int"
    assert by_path["/data/age"].text == "30"
    assert by_path["/data/section/a"].datatype == "date"
    assert by_path["/data/start"].datatype == "dateTime"
    assert "/data/member" not in by_path
    assert [n.path() for n in doc.iter() if n.name == "fixed"] == ["/data/fixed"]
    assert all("template" not in n.attrs for n in doc.iter())


def test_new_instance_trees_are_independent(form: FormDefinition) -> None:
    first = form.new_instance_tree()
    first.children[0].child("name").text = "Ada"  # type: ignore[union-attr]
    second = form.new_instance_tree()
    assert second.children[0].child("name").text == ""  # type: ignore[union-attr]


def test_repeat_templates_build_new_instances(form: FormDefinition) -> None:
    member = form.new_repeat_instance("/data/member")
    assert member.parent is None
    assert [c.name for c in member.children] == ["mname"]
    assert member.children[0].datatype == "string"
    plot = form.new_repeat_instance("/data/member/plot")
    assert [(c.name, c.datatype) for c in plot.children] == [("area", "decimal")]
    assert form.repeat_template("/data/member").is_template
    fixed = form.repeat_template("/data/fixed")
    assert fixed.is_template
    with pytest.raises(KeyError):
        form.repeat_template("/data/name")


def test_a_repeat_without_template_uses_its_first_instance() -> None:
    xml = (
        HEAD
        + """<h:head><h:title>t</h:title><model>
        <instance><data id="t"><r><x>1</x></r></data></instance>
        <bind nodeset="/data/r/x" type="int"/></model></h:head>
        <h:body><repeat nodeset="/data/r"><input ref="/data/r/x"/></repeat></h:body></h:html>"""
    )
    form = read_xform(xml)
    assert form.repeat_paths == {"/data/r"}
    assert [(c.name, c.text, c.datatype) for c in form.new_repeat_instance("/data/r").children] == [
        ("x", "1", "int")
    ]
    assert form.default_language is None and form.languages == ()


def test_the_definition_is_immutable(form: FormDefinition) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        form.title = "x"  # type: ignore[misc]
    bind = form.bind_for("/data/age")
    assert bind is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        bind.relevant = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        bind.attributes["relevant"] = "false()"  # type: ignore[index]
    with pytest.raises(TypeError):
        form.translations[0].texts["x"] = form.translations[0].texts["yn-0"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        form.binds.append(bind)  # type: ignore[attr-defined]
    age = control(form, "/data/age")
    with pytest.raises(dataclasses.FrozenInstanceError):
        age.label = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        form.instance.attributes["id"] = "other"  # type: ignore[index]


def test_bytes_input_and_source_name() -> None:
    form = read_xform(FORM.encode("utf-8"), source_name="f.xml")
    assert form.source_name == "f.xml" and form.form_id == "household"
