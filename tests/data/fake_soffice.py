"""A stand-in for ``soffice --headless --convert-to pdf --outdir DIR FILE…`` (tests' ``fake_soffice``):
it writes, for each FILE, a valid one-page A4 PDF that shows the file's name, in a few milliseconds."""

import pathlib
import sys


def one_page_pdf(title: str) -> bytes:
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    content = b"BT /F1 28 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [b"<</Type/Catalog/Pages 2 0 R>>",
               b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
               b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
               b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


args = sys.argv[1:]
at = args.index("--outdir")
outdir = pathlib.Path(args[at + 1])
for name in args[at + 2:]:
    stem = pathlib.Path(name).stem
    (outdir / f"{stem}.pdf").write_bytes(one_page_pdf(stem))
