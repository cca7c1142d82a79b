// Renders and lints a Helm chart with real Helm (helm-java embeds the Go Helm library) and
// validates every rendered manifest against the official Kubernetes Java client's models, which
// are generated from the Kubernetes OpenAPI document. One JVM does all of it because loading the
// native Helm library is the slow part.
//
// helm-java's template returns the release manifest without its hooks (unlike `helm template`),
// so the chart is rendered from a copy whose `helm.sh/hook:` annotation key is renamed (Helm then
// keeps those resources in the manifest) and the key is put back in the output: the YAML written
// is what `helm template` prints, hooks included.
//
// usage: java -cp <classpath> HelmCheck.java <chartDir> <outDir> <case>=<values.yaml>[,<more.yaml>]...
// Writes <outDir>/<case>.yaml (or <case>.error) and prints a JSON summary on stdout.

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

public class HelmCheck {
  static final String RELEASE = "po";
  static final String NAMESPACE = "product-ordering";
  // Helm template defaults to an old cluster version; render for a current one.
  static final String KUBE_VERSION = "v1.31.0";
  static final String HOOK_KEY = "helm.sh/hook:";
  static final String HOOK_STAND_IN = "delivery.check/helm-hook:";
  static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: HelmCheck <chartDir> <outDir> <case>=<values.yaml>[,<more.yaml>]...");
      System.exit(64);
    }
    Path source = Paths.get(args[0]).toAbsolutePath();
    Path out = Paths.get(args[1]).toAbsolutePath();
    Files.createDirectories(out);
    Path chart = copyWithHooksAsResources(source, out.resolve("chart"));

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("helmVersion", Helm.version().call());
    LintResult lint = new Helm(source).lint().strict().call();
    Map<String, Object> lintSummary = new LinkedHashMap<>();
    lintSummary.put("failed", lint.isFailed());
    lintSummary.put("messages", lint.getMessages());
    summary.put("lint", lintSummary);

    Map<String, Object> cases = new LinkedHashMap<>();
    for (int i = 2; i < args.length; i++) {
      String[] parts = args[i].split("=", 2);
      cases.put(parts[0], renderCase(chart, out, parts[0], parts[1].split(",")));
    }
    summary.put("cases", cases);
    System.out.println(GSON.toJson(summary));
  }

  static Path copyWithHooksAsResources(Path source, Path target) throws Exception {
    if (Files.exists(target)) {
      try (var walk = Files.walk(target)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    }
    try (var walk = Files.walk(source)) {
      for (Path p : walk.toList()) {
        Path dest = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else if (source.relativize(p).startsWith("templates")) {
          Files.writeString(dest, Files.readString(p).replace(HOOK_KEY, HOOK_STAND_IN));
        } else {
          Files.copy(p, dest);
        }
      }
    }
    return target;
  }

  static Map<String, Object> renderCase(Path chart, Path out, String name, String[] valuesFiles) throws Exception {
    Map<String, Object> result = new LinkedHashMap<>();
    TemplateCommand template = new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
    for (String values : valuesFiles) template = template.withValuesFile(Paths.get(values).toAbsolutePath());
    String rendered;
    try {
      rendered = template.call();
    } catch (RuntimeException e) {
      Files.writeString(out.resolve(name + ".error"), String.valueOf(e.getMessage()));
      Files.deleteIfExists(out.resolve(name + ".yaml"));
      result.put("error", String.valueOf(e.getMessage()));
      return result;
    }
    rendered = rendered.replace(HOOK_STAND_IN, HOOK_KEY);
    Files.writeString(out.resolve(name + ".yaml"), rendered);
    Files.deleteIfExists(out.resolve(name + ".error"));
    List<Map<String, Object>> manifests = new ArrayList<>();
    for (Object doc : new Yaml(new LoaderOptions()).loadAll(rendered)) {
      if (doc == null) continue;
      manifests.add(validate(GSON.toJsonTree(doc)));
    }
    result.put("manifests", manifests);
    return result;
  }

  /** Validates one manifest with the model class for its apiVersion and kind. */
  static Map<String, Object> validate(JsonElement manifest) {
    Map<String, Object> entry = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    String apiVersion = text(manifest, "apiVersion");
    String kind = text(manifest, "kind");
    entry.put("apiVersion", apiVersion);
    entry.put("kind", kind);
    JsonElement metadata = manifest.isJsonObject() ? manifest.getAsJsonObject().get("metadata") : null;
    entry.put("name", metadata == null ? null : text(metadata, "name"));
    Class<?> model = modelClass(apiVersion, kind);
    if (model == null) {
      errors.add("no Kubernetes model for " + apiVersion + " " + kind);
    } else {
      try {
        // Unknown fields, missing required fields and wrong shapes, recursively.
        Method check = model.getMethod("validateJsonElement", JsonElement.class);
        check.invoke(null, manifest);
        // Full typed deserialisation catches what the shape check lets through (numbers, enums).
        Method fromJson = model.getMethod("fromJson", String.class);
        fromJson.invoke(null, GSON.toJson(manifest));
      } catch (java.lang.reflect.InvocationTargetException e) {
        errors.add(String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()));
      } catch (ReflectiveOperationException e) {
        errors.add(e.toString());
      }
    }
    entry.put("model", model == null ? null : model.getSimpleName());
    entry.put("errors", errors);
    return entry;
  }

  static Class<?> modelClass(String apiVersion, String kind) {
    if (apiVersion == null || kind == null) return null;
    String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
    String prefix = Character.toUpperCase(version.charAt(0)) + version.substring(1);
    try {
      return Class.forName("io.kubernetes.client.openapi.models." + prefix + kind);
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  static String text(JsonElement element, String field) {
    if (element == null || !element.isJsonObject()) return null;
    JsonElement value = element.getAsJsonObject().get(field);
    return value == null || value.isJsonNull() ? null : value.getAsString();
  }
}
