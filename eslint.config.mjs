// One lint setup for the whole repository; each workspace runs it on its own files.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import boundaries from "eslint-plugin-boundaries";
import { serviceBoundaries } from "./eslint.boundaries.mjs";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/generated/**", "**/.cache/**", "**/node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
      ],
    },
  },
  {
    // ES module tooling scripts run by node directly.
    files: ["**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    // Plain CommonJS tooling scripts run by node directly.
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  // Layers inside a service, and no service importing another's source.
  { plugins: { boundaries }, ...serviceBoundaries },
);
