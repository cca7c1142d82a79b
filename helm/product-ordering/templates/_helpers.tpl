{{- define "po.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "po.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component: <fullname>-<component>. Call with (dict "root" $ "component" "auth"). */}}
{{- define "po.componentName" -}}
{{- printf "%s-%s" (include "po.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "po.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "po.name" .root }}
{{ include "po.selectorLabels" . }}
{{- end -}}

{{- define "po.selectorLabels" -}}
app.kubernetes.io/name: {{ include "po.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* <registry>/<component>:<tag>; with image.requireCommitSha the tag must be a commit SHA. */}}
{{- define "po.image" -}}
{{- $image := .root.Values.image -}}
{{- $tag := toString (default "" $image.tag) -}}
{{- if and $image.requireCommitSha (not (regexMatch "^[0-9a-f]{7,40}$" $tag)) -}}
{{- fail (printf "image.tag must be a commit SHA that CI pushed (got %q): image.requireCommitSha forbids moving tags here; --set image.tag=<sha>" $tag) -}}
{{- end -}}
{{- printf "%s/%s:%s" $image.registry .component (default .root.Chart.AppVersion $tag) -}}
{{- end -}}

{{- define "po.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "po.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Where auth's signing key is: jwtExistingSecret, else the existing Secret, else the chart's Secret
when a key was given. The chart never generates one: a key made while rendering is a new key on
every `helm template` (Argo CD renders that way, and lookup sees no cluster there), which would
sign everyone out on each sync. No key anywhere fails the render.
*/}}
{{- define "po.jwtSecretName" -}}
{{- $s := .Values.secrets -}}
{{- if $s.jwtExistingSecret -}}
{{- $s.jwtExistingSecret -}}
{{- else if or $s.existingSecret $s.jwtPrivateKey -}}
{{- include "po.secretName" . -}}
{{- else -}}
{{- fail "the JWT signing key is required: set secrets.existingSecret (with JWT_PRIVATE_KEY), secrets.jwtExistingSecret (a Secret holding JWT_PRIVATE_KEY, created once: see the chart README) or secrets.jwtPrivateKey; the chart never generates it, since a key made at render time would change on every helm template (Argo CD)" -}}
{{- end -}}
{{- end -}}

{{/* The Secrets the chart does not render, which a workload reads: their changes are invisible to Helm. */}}
{{- define "po.externalSecrets" -}}
{{- $s := .root.Values.secrets -}}
{{- $names := list -}}
{{- with $s.existingSecret }}{{ $names = append $names . }}{{ end -}}
{{- if and .jwt $s.jwtExistingSecret }}{{ $names = append $names $s.jwtExistingSecret }}{{ end -}}
{{- $names | uniq | join "," -}}
{{- end -}}

{{/*
The checksum of the Secret values one workload reads (call with dict "root" $ "keys" (list ...)
"jwt" bool), for its pod template: changing a value it reads rolls it, changing one it does not
read leaves it alone. Values the chart does not hold (existingSecret, jwtExistingSecret) enter
only by name: see reloader.enabled.
*/}}
{{- define "po.secretChecksum" -}}
{{- $s := .root.Values.secrets -}}
{{- $all := dict
  "AUTH_DATABASE_URL" $s.databaseUrls.auth
  "CATALOG_DATABASE_URL" $s.databaseUrls.catalog
  "ORDER_DATABASE_URL" $s.databaseUrls.order
  "NOTIFIER_DATABASE_URL" $s.databaseUrls.notifier
  "REDIS_URL" $s.redisUrl
  "INTERNAL_TOKENS" $s.internalTokens
  "SERVICE_TOKEN" $s.serviceToken
  "ADMIN_EMAIL" $s.adminEmail
  "ADMIN_PASSWORD" $s.adminPassword -}}
{{- $read := dict -}}
{{- range .keys }}
{{- $_ := set $read . (ternary (index $all . | default "") "" (empty $s.existingSecret)) -}}
{{- end }}
{{- if .jwt }}
{{- $_ := set $read "JWT_PRIVATE_KEY" (ternary $s.jwtPrivateKey "" (empty (or $s.existingSecret $s.jwtExistingSecret))) -}}
{{- $_ := set $read "jwtSecret" (include "po.jwtSecretName" .root) -}}
{{- end }}
{{- $_ := set $read "secret" (include "po.secretName" .root) -}}
{{- toJson $read | sha256sum -}}
{{- end -}}

{{/* Where the migration Jobs read their database URLs: the existing Secret, else the hook Secret made for them. */}}
{{- define "po.migrationSecretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-migrations" (include "po.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "po.configName" -}}
{{- printf "%s-config" (include "po.fullname" .) -}}
{{- end -}}

{{/* One variable read from a Secret: the chart's (or the existing one) unless .secret names another. */}}
{{- define "po.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | default (include "po.secretName" .root) }}
      key: {{ .key }}
{{- end -}}

{{/* What every pod of the chart shares. */}}
{{- define "po.podSpecCommon" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A writable /tmp: the root filesystem is read-only. */}}
{{- define "po.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "po.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* The ServiceAccount a workload's pods run as: its own (serviceAccount.create), else the named one. */}}
{{- define "po.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create -}}
{{- include "po.componentName" . -}}
{{- else -}}
{{- default "default" .root.Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* One ServiceAccount without an API token: no workload of the chart talks to the Kubernetes API. */}}
{{- define "po.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "po.componentName" . }}
  labels:
    {{- include "po.labels" . | nindent 4 }}
  {{- if or .hook .root.Values.serviceAccount.annotations }}
  annotations:
    {{- with .root.Values.serviceAccount.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- with .hook }}
    helm.sh/hook: {{ . }}
    helm.sh/hook-weight: "-10"
    helm.sh/hook-delete-policy: before-hook-creation
    {{- end }}
  {{- end }}
automountServiceAccountToken: false
{{- end -}}
