"""Writes sim/scenarios/hanoi-district.json from hanoi-ward.json: the same district, wards, timeline and
measures at 100,000 people (index cases scaled with the population). Run after editing hanoi-ward.json."""
import json
from pathlib import Path

root = Path(__file__).resolve().parent.parent
ward = json.loads((root / "sim/scenarios/hanoi-ward.json").read_text())
district = dict(ward)
district["name"] = "hanoi-district"
district["population"] = 100000
district["epidemic"] = {**ward["epidemic"], "initialInfected": ward["epidemic"]["initialInfected"] * 5}
district["description"] = (
    "hanoi-ward at district size: Thanh Xuân district, Hanoi (11 wards, ~290k residents) at 100,000 people "
    "(about 1:2.9), with the same timeline, measures and parameters, and index cases scaled with the "
    "population (docs/hanoi-2021.md). Too large for runs with the app on this engine (≈ 30,000 app users: "
    "hours per run); fit and check it with the epidemic alone (scripts/hanoi-fit.ts)."
)
(root / "sim/scenarios/hanoi-district.json").write_text(json.dumps(district, indent=2, ensure_ascii=False) + "\n")
