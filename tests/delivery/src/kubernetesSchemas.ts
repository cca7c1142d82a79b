// Validation against the Kubernetes OpenAPI JSON schemas as shipped (precompiled with ajv) by the
// `kubernetes-models` package: types, required fields, enums and formats of every field.
import type { K8sObject } from "./helm";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

const GROUP_DIR: Record<string, string> = { "": "v1" };
// Custom resources whose models another package of the same project ships.
const GROUP_PACKAGE: Record<string, string> = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const dir = group === "" ? GROUP_DIR[""] : `${group}/${version}`;
  const pkg = GROUP_PACKAGE[group ?? ""] ?? "kubernetes-models";
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`${pkg}/${dir}/${kind}`) as Record<string, ModelClass>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

/** Problems found by the JSON schema of the manifest's apiVersion and kind (empty: valid). */
export function schemaProblems(manifest: K8sObject): string[] {
  const Model = modelFor(manifest.apiVersion, manifest.kind);
  if (!Model) return [`no schema for ${manifest.apiVersion} ${manifest.kind}`];
  try {
    new Model(manifest).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: { instancePath: string; message?: string }[] }).errors;
    return errors?.map((e) => `${e.instancePath} ${e.message ?? ""}`.trim()) ?? [String(error)];
  }
}
