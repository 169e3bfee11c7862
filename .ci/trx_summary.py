"""Sums test results over every TRX file under a folder; prints 'PASSED FAILED' as its last line.

Every result that did not pass is named on stderr with its outcome. A result that was skipped or never executed
(xUnit reports a skipped test as NotExecuted) counts as failed: in CI a skip hides a missing prerequisite or a test
that never ran. A run whose TRX counters list more tests than it has results (the test host crashed) counts the
missing ones as failed too.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
FAILED = {"Failed", "Error", "Timeout", "Aborted"}
NOT_EXECUTED = {"NotExecuted", "NotRunnable", "Inconclusive", "Pending", "InProgress", "Disconnected", "Warning"}


def message_of(result):
    message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
    text = (message.text or "").strip() if message is not None else ""
    return text.splitlines()[0] if text else ""


passed = failed = 0
for trx in sorted(pathlib.Path(sys.argv[1]).rglob("*.trx")):
    root = ET.parse(trx).getroot()
    results = list(root.iter(f"{NS}UnitTestResult"))
    for result in results:
        outcome = result.get("outcome") or "(no outcome)"
        name = result.get("testName")
        if outcome == "Passed":
            passed += 1
            continue
        failed += 1
        reason = message_of(result)
        kind = "FAILED" if outcome in FAILED else "NOT EXECUTED" if outcome in NOT_EXECUTED else "UNKNOWN OUTCOME"
        print(f"{kind} ({outcome}): {name}" + (f": {reason}" if reason else ""), file=sys.stderr)
    counters = root.find(f"{NS}ResultSummary/{NS}Counters")
    if counters is not None and int(counters.get("total", "0")) > len(results):
        missing = int(counters.get("total", "0")) - len(results)
        failed += missing
        print(f"NOT EXECUTED: {missing} test(s) of {trx.name} have no result (the test host ended early?)", file=sys.stderr)
print(passed, failed)
