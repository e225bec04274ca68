#!/usr/bin/env python3
"""Rewrites a labelled JSONL set the way another deployment's export would differ from it:
fields missing more often, identifiers masked the way other platforms mask them, names
written as forms of address. The ids (and so the labels) stay; every record is changed the
same way wherever it occurs (a record of cases.jsonl and the same record of a check split),
because the change is drawn from a hash of the variant, the seed and the record's id.

  perturb.py VARIANT IN.jsonl OUT.jsonl [--seed N]

Variants:
  sparse   ID number dropped from 60% of the records, phone from 30%, name from 30%, home
           address from 40%, category from 30%, title from 50% (a hotline-heavy mix)
  masked   mobile numbers masked in 30% (138****1234 or 138-XXXX-1234), ID numbers in 40%
           (4301**********2315), names in 15% written 张某, 张某某, 张先生/张女士 or 老张
  both     sparse, then masked
"""
import hashlib
import json
import sys

SPARSE = {"id_number": 0.6, "phone": 0.3, "name": 0.3, "address": 0.4, "category": 0.3, "title": 0.5}


def draw(seed, variant, rid, what):
    """A number in [0, 1) fixed by the record id and what is drawn."""
    h = hashlib.sha256(f"{seed}:{variant}:{rid}:{what}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def sparse(d, u):
    for field, p in SPARSE.items():
        if field in d and u(field) < p:
            del d[field]


def mask_phone(phone, form):
    digits = "".join(str(int(ch)) for ch in phone if ch.isdecimal())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) != 11 or not digits.startswith("1"):
        return phone  # landlines and several numbers in one field stay as they are
    m = digits
    return f"{m[:3]}****{m[7:]}" if form < 0.5 else f"{m[:3]}-XXXX-{m[7:]}"


def mask_id(number):
    n = number.strip()
    if len(n) < 10:
        return number
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def address_form(name, form):
    surname = name[0]
    forms = [surname + "某", surname + "某某", surname + "先生", surname + "女士", "老" + surname]
    return forms[min(int(form * len(forms)), len(forms) - 1)]


def masked(d, u):
    if d.get("phone") and u("phone") < 0.3:
        d["phone"] = mask_phone(d["phone"], u("phone form"))
    if d.get("id_number") and u("id") < 0.4:
        d["id_number"] = mask_id(d["id_number"])
    name = d.get("name")
    if name and len(name) >= 2 and "\u4e00" <= name[0] <= "\u9fff" and u("name") < 0.15:
        d["name"] = address_form(name, u("name form"))


def main():
    args = sys.argv[1:]
    seed = 1
    if "--seed" in args:
        i = args.index("--seed")
        seed = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 3 or args[0] not in ("sparse", "masked", "both"):
        sys.exit(__doc__)
    variant, src, dst = args
    steps = {"sparse": [sparse], "masked": [masked], "both": [sparse, masked]}[variant]
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{src}:{n}: invalid JSON: {e}")
            rid = d.get("id", str(n))
            for step in steps:
                step(d, lambda what: draw(seed, variant, rid, what))
            out.write(json.dumps(d, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
