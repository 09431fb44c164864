"""Nothing shown to people slips back to English: every text is marked, and every marked one translated."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from tests.i18n import scan
from tests.i18n.catalogues import as_key, catalogue, compiled, extracted_messages

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def _placeholders(text: str) -> list[str]:
    return sorted(set(PLACEHOLDER.findall(text)))


def test_every_message_shown_has_a_chinese_translation() -> None:
    extracted = extracted_messages()
    zh = catalogue("zh_Hans")
    problems = []
    for msgid, places in sorted(extracted.items(), key=lambda item: str(item[0])):
        where = places[0]
        message = zh.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        if message is None:
            problems.append(f"{where}: not in the catalogue: {msgid!r}")
            continue
        if message.fuzzy:
            problems.append(f"{where}: fuzzy translation: {msgid!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"{where}: no translation: {msgid!r}")
            continue
        source = msgid[-1] if isinstance(msgid, tuple) else msgid
        for string in strings:
            if _placeholders(string) != _placeholders(source):
                problems.append(f"{where}: placeholders differ: {msgid!r} -> {string!r}")
    assert not problems, "\n".join(problems)
    assert len(extracted) > 600  # the extraction really ran over the code and the templates


def test_the_catalogue_holds_nothing_the_product_no_longer_says() -> None:
    extracted = {m[0] if isinstance(m, tuple) else m for m in extracted_messages()}
    stale = [message.id for message in catalogue("zh_Hans") if message.id and
             (message.id[0] if isinstance(message.id, tuple) else message.id) not in extracted]
    assert not stale, f"run `make messages`: {stale}"


def test_the_committed_compiled_catalogue_says_what_the_translators_wrote() -> None:
    # An install from the source serves the committed .mo as it is: run `make translations`
    # after translating, and commit the .mo with the .po.
    written = {as_key(m.id): as_key(m.string) for m in catalogue("zh_Hans") if m.id and not m.fuzzy and all(
        m.string if isinstance(m.string, tuple) else (m.string,))}
    served = compiled("zh_Hans")
    assert served == written


def test_no_text_in_a_template_is_left_unmarked(app: Flask) -> None:
    findings = scan.scan_templates(app.jinja_env)
    assert not findings, "mark these with _() or {% trans %}:\n" + "\n".join(map(str, findings))


def test_no_message_or_form_label_in_the_code_is_left_unmarked() -> None:
    findings = scan.scan_package()
    assert not findings, "wrap these in _() / _l():\n" + "\n".join(map(str, findings))


def test_the_template_scan_finds_bare_text_attributes_and_literals(app: Flask, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<p>{{ _("Marked") }}</p>\n'
        "<p>Bare words</p>\n"
        '<input placeholder="Type here">\n'
        '<tr{% if x %} class="y"{% endif %}><td>{{ "Printed" }}</td><td>{{ "%02d"|format(3) }}</td></tr>\n'
        "{% trans %}Hello {{ name }}{% endtrans %}\n"
        '{{ field(placeholder="Also bare") }}\n'
        "<span title=\"{{ _('Fine') }}\">UTC</span> <b>Thunderbird</b> &rarr; 12:00\n",
        encoding="utf-8",
    )
    original = scan.ROOT
    scan.ROOT = tmp_path
    try:
        found = [(f.line, f.text) for f in scan.scan_template(app.jinja_env, page)]
    finally:
        scan.ROOT = original
    assert found == [(2, "Bare words"), (3, "Type here"), (4, '"Printed"'), (6, '"Also bare"')]


def test_a_mail_template_line_outside_gettext_is_found(app: Flask, tmp_path: Path) -> None:
    mail = tmp_path / "mail.txt"
    mail.write_text('{{ _("Subject") }}\n\nDear {{ name }},\n{{ url }}\n', encoding="utf-8")
    original = scan.ROOT
    scan.ROOT = tmp_path
    try:
        found = [(f.line, f.text) for f in scan.scan_template(app.jinja_env, mail)]
    finally:
        scan.ROOT = original
    assert found == [(3, "Dear ,")]


def test_the_code_scan_finds_a_bare_flash_error_and_label(tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text(
        "flash(_('fine'))\n"
        "flash('Saved.', 'success')\n"
        "raise DomainError(f'{n} is wrong', field='n')\n"
        "title = StringField('Title', description=_l('ok'))\n"
        "name = StringField(_l('Name'), description='Bare hint')\n",
        encoding="utf-8",
    )
    original = scan.ROOT
    scan.ROOT = tmp_path
    try:
        found = [(f.line, f.text) for f in scan.scan_python(module)]
    finally:
        scan.ROOT = original
    assert found == [(2, "'Saved.'"), (3, "f'{n} is wrong'"), (4, "'Title'"), (5, "'Bare hint'")]
