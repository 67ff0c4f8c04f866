"""Print one closing line counting every test case in the JUnit XML files of a run, after one line
per failed case (its file, its name and the first line of its message: CI shows only the end of a
run's output, and it must say what failed). A stage that failed before writing any (a scenario
whose prepare failed) counts as one failure:
    junit_summary.py DIR [FAILED_STAGES]"""

import pathlib
import sys
import xml.etree.ElementTree as ET

SHOWN = 20  # failed cases named; the rest are counted

passed = failed = skipped = 0
named = []
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.xml")):
    for case in ET.parse(path).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failed += 1
            message = (problem.get("message") or problem.text or "").strip().splitlines()
            named.append(f"FAILED {path.stem}: {case.get('name')}: {(message or [''])[0][:160]}")
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
for line in named[:SHOWN]:
    print(line)
if len(named) > SHOWN:
    print(f"... and {len(named) - SHOWN} more failed cases (.build/junit)")
failed += int(sys.argv[2]) if len(sys.argv) > 2 else 0
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed else 0)
