/** Where a stack started by the test file at testPath writes its log lines (see stackLogs.js). */
export function logFileFor(testPath: string, stackId: string): string;
