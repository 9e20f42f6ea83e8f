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


# -- hostile encodings: UTF-16/32 without a byte-order mark, NUL bytes -------------------------------
MIXED = "دیپلماسی شهری\n\nIsfahan and Xi'an: " + PERSIAN + "\n"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom_are_recognised_from_their_nul_bytes(codec):
    doc = extract_bytes(MIXED.encode(codec), "nobom.txt")
    assert doc.text == MIXED and "\x00" not in doc.text
    assert doc.extractor == f"text/{codec}"
    assert doc.warnings == (f"decoded as {codec}",)


@pytest.mark.parametrize("codec", ["utf-32", "utf-16"])
def test_utf32_and_utf16_with_bom(codec):
    doc = extract_bytes(MIXED.encode(codec), "bom.txt")  # Python writes the native-order BOM
    assert doc.text == MIXED


def test_english_utf16_without_bom_is_not_taken_for_utf8():
    # every other byte is NUL, which is also valid UTF-8: decoding it as UTF-8 would store NULs
    doc = extract_bytes("Sister cities and urban diplomacy.\n".encode("utf-16-le"), "en.txt")
    assert doc.text == "Sister cities and urban diplomacy.\n"


def test_stray_nul_bytes_in_utf8_are_removed_with_a_warning():
    doc = extract_bytes(("دیپلماسی شهری\x00 اصفهان\n" * 5 + "\x00\x00").encode(), "padded.txt")
    assert "\x00" not in doc.text and "دیپلماسی شهری اصفهان" in doc.text
    assert doc.warnings == ("removed 7 NUL characters",)


def test_nul_characters_in_utf16_are_removed():
    doc = extract_bytes(("Urban diplomacy\x00 text for Isfahan.\n" * 3).encode("utf-16"), "nul16.txt")
    assert "\x00" not in doc.text and doc.warnings == ("decoded as utf-16", "removed 3 NUL characters")


def test_binary_with_nul_bytes_is_refused_whatever_its_length():
    import random

    rnd = random.Random(7)
    for n in (4000, 4001, 4002):
        data = bytes(rnd.randrange(256) for _ in range(n)) + b"\x00\x00\x00\x00"
        with pytest.raises(UndecodableTextError, match=r"^blob.txt: binary content \(NUL bytes\), not UTF-8, "
                                                       r"UTF-16 or UTF-32 text; save the file as UTF-8"):
            extract_bytes(data, "blob.txt")


def test_truncated_utf16_without_bom_names_the_encoding_and_byte():
    data = ("Urban diplomacy and sister cities. " * 3000).encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    with pytest.raises(UndecodableTextError, match=r"cut.txt: looks like utf-16-le without a byte-order mark, "
                                                   r"but invalid utf-16-le at byte 210000"):
        extract_bytes(data, "cut.txt")
