"""Writing the built-in tables (data/*.csv): comment header, column names, rows.

Shared by make_builtin_tables.py and make_demography.py, so that every table is written the same
way: text as is, integers as integers, other numbers to six significant digits.
"""

import os

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fmt(v):
    if isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    return f"{v:.6g}"


def write(name, header_lines, columns, rows):
    """Writes data/NAME: each header line as a `# ` comment, then the columns and the rows."""
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        for h in header_lines:
            f.write("# " + h + "\n")
        f.write(",".join(columns) + "\n")
        for r in rows:
            f.write(",".join(fmt(v) for v in r) + "\n")
