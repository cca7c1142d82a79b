import { execFileSync, spawn } from "node:child_process";
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
type Loose = any;
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: Loose;
  data?: Loose;
  stringData?: Loose;
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
 * validates every manifest against the Kubernetes API models. One JVM for all of it. Helm's
 * `lookup` asks the cluster of `kubeconfig` (a fake one: see fakeCluster.ts).
 */
export async function runHelmCheck(
  cases: Record<string, string[]>,
  outDir: string,
  kubeconfig: string,
): Promise<{ result: HelmCheckResult; rendered: Record<string, RenderedCase> }> {
  const args = Object.entries(cases).map(([name, files]) => `${name}=${files.join(",")}`);
  // Asynchronous: the fake cluster answering Helm's lookups runs in this process.
  const child = spawn("java", ["-cp", helmClasspath(), CHECK, CHART, outDir, ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`HelmCheck exited ${code}:\n${stderr}`);
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
