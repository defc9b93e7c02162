"""Write a synthetic HR file for import_directory: N people with Khmer and Latin names.

    python bench/gen_directory_csv.py OUT.csv --rows 300000 --units MOH,PHD-05,PRH-05

Deterministic (seeded) so runs are comparable; ``--changed P`` alters P percent of the
rows (new phone, some moved to another unit) to measure a re-import.
"""

import argparse
import csv
import random

FAMILY = [
    ("សុខ", "Sok"), ("ចាន់", "Chan"), ("កែវ", "Keo"), ("ហេង", "Heng"), ("លី", "Ly"),
    ("មាស", "Meas"), ("សៀង", "Seang"), ("ពៅ", "Pov"), ("ឈឹម", "Chhim"), ("ស៊ុន", "Sun"),
    ("ទេព", "Tep"), ("អ៊ុំ", "Um"), ("ប៊ុន", "Bun"), ("ណុប", "Nop"), ("យិន", "Yin"),
]  # fmt: skip
GIVEN = [
    ("ដារា", "Dara"), ("សុភា", "Sophea"), ("វណ្ណា", "Vanna"), ("ចន្ធូ", "Chanthou"),
    ("សុខា", "Sokha"), ("រតនា", "Ratana"), ("ពិសិដ្ឋ", "Piseth"), ("សុផល", "Sophal"),
    ("បុប្ផា", "Bopha"), ("ស្រីមុំ", "Sreymom"), ("វិចិត្រ", "Vichet"), ("ធីតា", "Thida"),
    ("សំណាង", "Samnang"), ("វុទ្ធី", "Vuthy"), ("ម៉ាលីស", "Malis"), ("សុធារី", "Sotheary"),
]  # fmt: skip
TITLES = [
    ("Nurse", "គិលានុបដ្ឋាក"), ("Midwife", "ឆ្មប"), ("Medical doctor", "វេជ្ជបណ្ឌិត"),
    ("Administrative officer", "មន្ត្រីរដ្ឋបាល"), ("Pharmacist", "ឱសថការី"),
    ("Laboratory technician", "អ្នកបច្ចេកទេសមន្ទីរពិសោធន៍"), ("Accountant", "គណនេយ្យករ"),
]  # fmt: skip
COLUMNS = (
    "employee_id,family_name_km,given_name_km,family_name_en,given_name_en,email,phone,"
    "org_unit_code,position_title_en,position_title_km"
).split(",")


def rows(n: int, units: list[str], changed: float = 0.0, seed: int = 7):
    rnd = random.Random(seed)
    change = random.Random(seed + 1)
    for i in range(n):
        (fkm, fen), (gkm, gen) = rnd.choice(FAMILY), rnd.choice(GIVEN)
        unit = rnd.choice(units)
        title_en, title_km = rnd.choice(TITLES)
        phone = f"+855 {rnd.randint(10, 99)} {rnd.randint(100, 999)} {rnd.randint(100, 999)}"
        if change.random() * 100 < changed:
            phone = f"+855 97 {i % 1000:03d} {i // 1000 % 1000:03d}"
            if change.random() < 0.2:
                unit = change.choice(units)
        yield [
            f"B{i:07d}", fkm, gkm, fen, gen, f"{gen}.{fen}.{i}@moh.gov.kh".lower(), phone,
            unit, title_en, title_km,
        ]  # fmt: skip


def write(path: str, n: int, units: list[str], changed: float = 0.0) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        out.writerows(rows(n, units, changed))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--units", required=True, help="comma-separated org unit codes")
    parser.add_argument("--changed", type=float, default=0.0, help="percent of rows changed")
    args = parser.parse_args()
    write(args.out, args.rows, args.units.split(","), args.changed)
