import codecs

import pytest

from pipeline.errors import EmptyFileError, FileTooLargeError, UndecodableTextError, UnsupportedTypeError
from pipeline.extract import ExtractConfig, detect_type, extract, extract_bytes

PERSIAN = "شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند."


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("utf-16"),  # with BOM
        lambda t: t.replace("\u200c", " ").replace("ی", "ي").encode("cp1256"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "windows-1256"],
)
def test_encodings_decode_to_the_same_persian_text(encode):
    text = "دیپلماسی شهری\n\n" + PERSIAN + "\n"
    doc = extract_bytes(encode(text), "note.txt")
    expected = PERSIAN if "\u200c" in doc.text else PERSIAN.replace("\u200c", " ").replace("ی", "ي")
    assert doc.segments[-1].text == expected
    assert doc.text.replace("ي", "ی").startswith("دیپلماسی شهری")


def test_cp1256_is_reported_as_a_warning():
    doc = extract_bytes("سیاست شهری و دیپلماسی اقتصادی در اصفهان".replace("ی", "ي").encode("cp1256"), "old.txt")
    assert doc.extractor == "text/cp1256"
    assert doc.warnings == ("decoded as cp1256",)


def test_undecodable_bytes_name_the_file_and_reason():
    with pytest.raises(UndecodableTextError) as err:
        extract_bytes(bytes(range(128, 256)) * 20 + b"\x00\x01", "bad.txt")
    assert str(err.value).startswith("bad.txt: ")
    assert "UTF-8" in str(err.value)


def test_segments_point_into_text_and_tables_keep_cells(sample_paths):
    doc = extract(sample_paths[0])  # the Mashhad paper with tab-separated tables
    assert all(doc.text[s.start:s.end] == s.text for s in doc.segments)
    cells = [s for s in doc.segments if s.kind == "table_cell"]
    assert len(cells) > 150
    assert {s.table for s in cells} >= {1, 2, 3, 4}
    header = [s.text for s in cells if s.table == 1 and s.row == 1]
    assert header == ["مسائل", "هدف", "سیاستهای کلی", "سیاستهای اجرایی"]
    assert doc.meta.city == "Mashhad" and doc.meta.kind == "paper"  # from the sidecar
    assert doc.meta.date_iso == "2023-12-12"


def test_markdown_headings_and_list_items():
    md = "# عنوان\n\nپاراگراف اول درباره دیپلماسی شهری است.\n\n- مورد اول\n- مورد دوم\n"
    doc = extract_bytes(md.encode(), "x.md")
    kinds = [(s.kind, s.text) for s in doc.segments]
    assert kinds[0] == ("heading", "# عنوان")
    assert ("list_item", "- مورد دوم") in kinds
    para = next(s for s in doc.segments if s.kind == "paragraph")
    assert para.heading == "عنوان"


def test_hard_wrapped_english_paragraphs_are_joined():
    para = ("Isfahan and Xi'an have been sister cities since 1989 and the municipality " * 1).strip()
    lines = []
    for i in range(10):
        lines += [para + f" line {i}", "continues the same paragraph about city diplomacy and trade", ""]
    doc = extract_bytes("\n".join(lines).encode(), "wrapped.txt")
    paras = [s for s in doc.segments if s.kind == "paragraph"]
    assert len(paras) == 10
    assert "\n" in paras[0].text


def test_empty_file():
    with pytest.raises(EmptyFileError, match="empty.txt: empty file"):
        extract_bytes(b"  \n\t ", "empty.txt")


def test_oversized_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2_000_000)
    with pytest.raises(FileTooLargeError, match=r"big.txt: file is 1.9 MB, over the 1 MB limit"):
        extract(big, ExtractConfig(max_mb=1))


def test_unsupported_type():
    with pytest.raises(UnsupportedTypeError, match=r"x.xlsx: unsupported file type '.xlsx'"):
        detect_type(b"whatever", "x.xlsx")


def test_zip_that_is_not_docx():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    with pytest.raises(UnsupportedTypeError, match="not a DOCX"):
        extract_bytes(buf.getvalue(), "a.zip")
