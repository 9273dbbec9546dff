"""The translation workflow: the template is current, and changed English makes translations fuzzy."""

import shutil
from pathlib import Path

from service import catalog_tools
from service.catalogs import load_catalogs, read_catalog
from service.content import load_content

ROOT = Path(__file__).resolve().parent.parent


def entries(catalog):
    return {(m.context, m.id) for m in catalog if m.id}


def test_the_committed_template_matches_the_content():
    fresh = catalog_tools.template(content_dir=ROOT / "content", root=ROOT)
    assert entries(fresh) == entries(read_catalog(ROOT / "locales" / "messages.pot"))


def test_every_locale_has_every_entry_of_the_template():
    pot = entries(read_catalog(ROOT / "locales" / "messages.pot"))
    for locale in catalog_tools.LOCALES:
        assert entries(read_catalog(ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po")) == pot, locale


def test_changed_english_makes_its_translation_fuzzy_and_unserved(tmp_path):
    content_dir, locales_dir = tmp_path / "content", tmp_path / "locales"
    shutil.copytree(ROOT / "content", content_dir)
    catalog_tools.update(content_dir=content_dir, locales_dir=locales_dir, locales=("es",))
    po_path = locales_dir / "es" / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(po_path)
    for message in catalog:
        if message.id:
            message.string = "ES " + message.id.replace("%(contact)s", "%(contact)s")
    catalog_tools.write_catalog(catalog, po_path)
    content = load_content(content_dir)
    old = content.topic("surgery").summary
    assert load_catalogs(content=content, locales_dir=locales_dir).lookup("es", "surgery", old) == "ES " + old

    topics = content_dir / "topics.toml"
    topics.write_text(topics.read_text().replace(old, old.replace("sometimes", "at times")))
    catalog_tools.update(content_dir=content_dir, locales_dir=locales_dir, locales=("es",))
    changed = load_content(content_dir).topic("surgery").summary
    updated = read_catalog(po_path).get(changed, context="surgery")
    assert updated.fuzzy
    assert (
        load_catalogs(content=load_content(content_dir), locales_dir=locales_dir).lookup("es", "surgery", changed)
        is None
    )


def test_stats_count_translated_fuzzy_and_missing(tmp_path):
    catalog_tools.update(content_dir=ROOT / "content", locales_dir=tmp_path, locales=("fr",))
    path = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(path)
    messages = [m for m in catalog if m.id]
    messages[0].string = "un"
    messages[1].string = "deux"
    messages[1].flags.add("fuzzy")
    catalog_tools.write_catalog(catalog, path)
    [row] = catalog_tools.stats(locales_dir=tmp_path)
    assert (row.locale, row.translated, row.fuzzy, row.missing, row.review_status) == (
        "fr",
        1,
        1,
        len(messages) - 2,
        "draft",
    )


def test_compile_writes_mo_files_without_fuzzy_entries(tmp_path):
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    written = catalog_tools.compile_all(locales_dir=tmp_path / "locales")
    assert len(written) == len(catalog_tools.LOCALES) and all(path.stat().st_size > 0 for path in written)
