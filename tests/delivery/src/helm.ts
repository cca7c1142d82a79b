import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { CACHE, CHART, repoPath } from "./paths";

const POM = repoPath("tests/delivery/helm-java/pom.xml");
const CHECK = repoPath("tests/delivery/helm-java/HelmCheck.java");
const CLASSPATH_FILE = path.join(CACHE, "helm-classpath.txt");
const LOCAL_REPO = path.join(CACHE, "m2");

export interface ManifestCheck {
  apiVersion: string;
  kind: string;
  name: string;
  model: string | null;
  errors: string[];
}

export interface HelmCheckResult {
  helmVersion: string;
  lint: { failed: boolean; messages: string[] };
  cases: Record<string, { error?: string; manifests?: ManifestCheck[] }>;
}

export interface RenderedCase {
  error?: string;
  checks: ManifestCheck[];
  manifests: K8sObject[];
}

// Loosely typed on purpose: the tests read many kinds; the schemas validate the shapes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: any;
  data?: any;
  stringData?: any;
};

/** The helm-java classpath from Maven (fetched once into .cache/m2, then read from the file). */
export function helmClasspath(): string {
  const fresh =
    fs.existsSync(CLASSPATH_FILE) &&
    fs.statSync(CLASSPATH_FILE).mtimeMs > fs.statSync(POM).mtimeMs &&
    fs
      .readFileSync(CLASSPATH_FILE, "utf8")
      .trim()
      .split(path.delimiter)
      .every((jar) => fs.existsSync(jar));
  if (!fresh) {
    execFileSync(
      "mvn",
      [
        "-B",
        "-q",
        `-Dmaven.repo.local=${LOCAL_REPO}`,
        "-f",
        POM,
        "dependency:build-classpath",
        `-Dmdep.outputFile=${CLASSPATH_FILE}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  }
  return fs.readFileSync(CLASSPATH_FILE, "utf8").trim();
}

/**
 * Lints the chart and renders it once per case (case name -> values files) with real Helm, and
 * validates every manifest against the Kubernetes API models. One JVM for all of it.
 */
export function runHelmCheck(
  cases: Record<string, string[]>,
  outDir: string,
): { result: HelmCheckResult; rendered: Record<string, RenderedCase> } {
  const args = Object.entries(cases).map(([name, files]) => `${name}=${files.join(",")}`);
  const stdout = execFileSync("java", ["-cp", helmClasspath(), CHECK, CHART, outDir, ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const result = JSON.parse(stdout) as HelmCheckResult;
  const rendered: Record<string, RenderedCase> = {};
  for (const [name, c] of Object.entries(result.cases)) {
    const file = path.join(outDir, `${name}.yaml`);
    rendered[name] = {
      error: c.error,
      checks: c.manifests ?? [],
      manifests: c.error
        ? []
        : parseAllDocuments(fs.readFileSync(file, "utf8"))
            .map((d) => d.toJS() as K8sObject)
            .filter(Boolean),
    };
  }
  return { result, rendered };
}
