"""Print one closing line counting every test case in the JUnit XML files of a run.
A stage that failed before writing any (a scenario whose prepare failed) counts as one failure:
    junit_summary.py DIR [FAILED_STAGES]"""

import pathlib
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.xml")):
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
failed += int(sys.argv[2]) if len(sys.argv) > 2 else 0
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not passed else 0)
