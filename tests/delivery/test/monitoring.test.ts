import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { parse } from "yaml";
import { CHART, repoPath } from "../src/paths";

// The alert rules as users install them: checked and unit-tested by the real promtool (Debian's
// prometheus package, fetched by scripts/infra/promtool.sh when missing).
const RULES = `${CHART}/files/prometheus-rules.yaml`;
const RULE_TESTS = repoPath("tests/delivery/monitoring/prometheus-rules.test.yaml");

let promtool: string;
const run = (...args: string[]) =>
  execFileSync(promtool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}
const rules = (): Rule[] =>
  (parse(fs.readFileSync(RULES, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );

beforeAll(() => {
  promtool = execFileSync("bash", [repoPath("scripts/infra/promtool.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}, 300_000);

describe("prometheus rules", () => {
  it("pass promtool check rules", () => {
    expect(run("check", "rules", RULES)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("pass promtool's unit tests, which fire and clear every alert", () => {
    expect(run("test", "rules", RULE_TESTS)).toMatch(/SUCCESS/);
    const tested = new Set(
      (
        parse(fs.readFileSync(RULE_TESTS, "utf8")) as {
          tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
        }
      ).tests
        .flatMap((t) => t.alert_rule_test)
        .flatMap((t) => [`${t.alertname}:${t.exp_alerts.length ? "firing" : "silent"}`]),
    );
    for (const { alert } of rules()) {
      expect(tested).toContain(`${alert}:firing`);
      expect(tested).toContain(`${alert}:silent`);
    }
  });

  it("fails promtool's unit tests when an alert does not fire as expected", () => {
    const broken = repoPath(".cache/prometheus-rules-broken.test.yaml");
    fs.mkdirSync(repoPath(".cache"), { recursive: true });
    const text = fs
      .readFileSync(RULE_TESTS, "utf8")
      .replace("../../../helm/", `${repoPath("helm")}/`)
      .replace("eval_time: 12m", "eval_time: 7m");
    fs.writeFileSync(broken, text);
    expect(() => run("test", "rules", broken)).toThrow(/FAILED/);
  });

  it("cover every alert the issue asks for, each with a runbook section", () => {
    const names = rules().map((r) => r.alert);
    expect(names).toEqual(
      expect.arrayContaining([
        "OutboxOldestReadyTooOld",
        "OutboxFailedRows",
        "KafkaConsumerLagGrowing",
        "KafkaDeadLettersReceived",
        "CircuitBreakerOpen",
        "HighServerErrorRatio",
        "HighLatencyP99",
        "ArchiverRunFailed",
        "ArchiverNotRunForADay",
        "PodNotReady",
      ]),
    );
    const runbook = fs.readFileSync(repoPath("docs/runbook.md"), "utf8");
    const anchors = new Set(
      [...runbook.matchAll(/^## (.+)$/gm)].map((m) =>
        m[1]!.toLowerCase().replace(/[^a-z0-9]/g, ""),
      ),
    );
    for (const rule of rules()) {
      expect(rule.annotations.runbook_url).toBe(`docs/runbook.md#${rule.alert.toLowerCase()}`);
      expect(anchors).toContain(rule.alert.toLowerCase());
      expect(rule.annotations.summary).toBeTruthy();
    }
  });
});
