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

{{/* Where auth's signing key is: the existing Secret, the chart's Secret when a key was given, else the generated one. */}}
{{- define "po.jwtSecretName" -}}
{{- if or .Values.secrets.existingSecret .Values.secrets.jwtPrivateKey -}}
{{- include "po.secretName" . -}}
{{- else -}}
{{- printf "%s-jwt" (include "po.fullname" .) -}}
{{- end -}}
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
