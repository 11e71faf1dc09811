"""Writes src/main/resources/io/orthrus/tokenize/bert-unicode.txt: the Unicode tables WordPiece's normalizer uses,
so that tokenizing never depends on the Unicode version of the JDK that runs it.

    apt-get install unicode-data        # the Unicode Character Database, /usr/share/unicode
    python3 src/test/python/make_bert_unicode_table.py /usr/share/unicode src/main/resources/io/orthrus/tokenize

The Hugging Face tokenizers library (BertNormalizer, BertPreTokenizer) takes its categories from the
unicode_categories crate 0.1.1, whose tables are Unicode 8.0, so the category sets here are those of Unicode 8.0
(today's categories of the code points assigned by 8.0, from DerivedAge.txt): "other" (Cc, Cf, Co: dropped by
clean_text), "mark" (Mn: dropped when stripping accents), "punct" (P*: split off by the pre-tokenizer). "space" is the
White_Space property (Rust's char::is_whitespace). "lower" is the full lower-case mapping (UnicodeData.txt and the
unconditional entries of SpecialCasing.txt, as Rust's char::to_lowercase), "nfd" the full canonical decomposition and
"ccc" the canonical combining classes, both for NFD; these three are from the database given (Unicode 15.0 in
Debian 12's unicode-data).
"""
import os
import sys

CATEGORY_AGE = (8, 0)


def read(ucd, name):
    with open(os.path.join(ucd, name), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield [field.strip() for field in line.split(";")]


def code_points(field):
    if ".." in field:
        first, last = field.split("..")
        return range(int(first, 16), int(last, 16) + 1)
    return [int(field, 16)]


def unicode_data(ucd):
    """Every assigned code point with its fields, expanding the <..., First>/<..., Last> ranges."""
    rows, first = {}, None
    for fields in read(ucd, "UnicodeData.txt"):
        cp, name = int(fields[0], 16), fields[1]
        if name.endswith(", First>"):
            first = cp
            continue
        for c in (range(first, cp + 1) if name.endswith(", Last>") else [cp]):
            rows[c] = fields
    return rows


def ranges(cps):
    out, start, prev = [], None, None
    for cp in sorted(cps):
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            out.append((start, prev))
            start = prev = cp
    if start is not None:
        out.append((start, prev))
    return out


def main():
    ucd, out_dir = sys.argv[1], sys.argv[2]
    rows = unicode_data(ucd)
    age = {}
    for fields in read(ucd, "DerivedAge.txt"):
        version = tuple(int(x) for x in fields[1].split("."))
        for cp in code_points(fields[0]):
            age[cp] = version
    old = {cp for cp in rows if age.get(cp, (99, 0)) <= CATEGORY_AGE}
    category = {cp: rows[cp][2] for cp in rows}
    sets = {
        "other": {cp for cp in old if category[cp] in ("Cc", "Cf", "Co")},
        "mark": {cp for cp in old if category[cp] == "Mn"},
        "punct": {cp for cp in old if category[cp].startswith("P")},
        "space": {cp for fields in read(ucd, "PropList.txt") if fields[1] == "White_Space" for cp in code_points(fields[0])},
    }
    lower = {cp: [int(rows[cp][13], 16)] for cp in rows if rows[cp][13]}
    for fields in read(ucd, "SpecialCasing.txt"):
        if len(fields) > 4 and fields[4]:  # a condition (Final_Sigma, a language): not what to_lowercase does
            continue
        cp = int(fields[0], 16)
        lower[cp] = [int(x, 16) for x in fields[1].split()]
    lower = {cp: m for cp, m in lower.items() if m != [cp]}
    direct = {cp: [int(x, 16) for x in rows[cp][5].split()] for cp in rows
              if rows[cp][5] and not rows[cp][5].startswith("<")}

    def decompose(cp):
        return [d for part in direct[cp] for d in (decompose(part) if part in direct else [part])]

    nfd = {cp: decompose(cp) for cp in direct}
    ccc = {}
    for cp in rows:
        if rows[cp][3] != "0":
            ccc.setdefault(int(rows[cp][3]), set()).add(cp)
    hexes = lambda cps: ",".join("%04X" % c for c in cps)
    lines = ["# WordPiece's Unicode tables: written by src/test/python/make_bert_unicode_table.py, which says where each"
             " comes from; do not edit.",
             "# category sets: Unicode %d.%d; lower, nfd, ccc: the database's version (see DerivedAge.txt)" % CATEGORY_AGE]
    for name, cps in sets.items():
        lines += ["%s %04X %04X" % (name, a, b) for a, b in ranges(cps)]
    for klass in sorted(ccc):
        lines += ["ccc%d %04X %04X" % (klass, a, b) for a, b in ranges(ccc[klass])]
    lines += ["lower %04X %s" % (cp, hexes(m)) for cp, m in sorted(lower.items())]
    lines += ["nfd %04X %s" % (cp, hexes(m)) for cp, m in sorted(nfd.items())]
    with open(os.path.join(out_dir, "bert-unicode.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
