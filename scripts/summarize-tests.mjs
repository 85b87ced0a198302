// Prints one closing line `tests: N passed, N failed` over Jest's JSON results and the
// Node test runner's output of the end-to-end suite.
import { existsSync, readFileSync } from 'node:fs';

const [jestFile, e2eFile] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (jestFile && existsSync(jestFile)) {
  const results = JSON.parse(readFileSync(jestFile, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
  console.log(
    `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped (${results.numTotalTestSuites} suites)`,
  );
} else {
  failed += 1;
  console.log('jest: no results file');
}
if (e2eFile && existsSync(e2eFile)) {
  const out = readFileSync(e2eFile, 'utf8');
  const pass = Number(/^# pass (\d+)/m.exec(out)?.[1] ?? 0);
  const fail = Number(/^# fail (\d+)/m.exec(out)?.[1] ?? 0);
  passed += pass;
  failed += fail;
  if (pass + fail === 0) failed += 1;
  console.log(`e2e: ${pass} passed, ${fail} failed`);
} else {
  failed += 1;
  console.log('e2e: no output');
}
console.log(`tests: ${passed} passed, ${failed} failed`);
