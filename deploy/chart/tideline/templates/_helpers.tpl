{{/* Names, labels and the shared pod parts of the web and worker Deployments. */}}

{{- define "tideline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tideline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tideline.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "tideline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tideline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tideline.labels" -}}
helm.sh/chart: {{ include "tideline.chart" . }}
{{ include "tideline.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tideline
{{- end }}

{{- define "tideline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tideline.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding DATABASE_URL and the secret key: yours (existingSecret) or the chart's. */}}
{{- define "tideline.secretName" -}}
{{- default (include "tideline.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{- define "tideline.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/* Checks that fail the render with a message saying what to set. */}}
{{- define "tideline.validate" -}}
{{- if not .Values.secret.existingSecret }}
{{- if not .Values.secret.databaseUrl }}
{{- fail "secret.databaseUrl is required (postgresql://USER:PASSWORD@HOST:5432/DB), or set secret.existingSecret to a Secret holding DATABASE_URL and TIDELINE_SECRET_KEY" }}
{{- end }}
{{- if not .Values.secret.secretKey }}
{{- fail "secret.secretKey is required: --set secret.secretKey=$(openssl rand -base64 32) (keep it: it decrypts every stored credential), or set secret.existingSecret" }}
{{- end }}
{{- if ne (len (b64dec .Values.secret.secretKey)) 32 }}
{{- fail "secret.secretKey must be 32 random bytes in base64 (openssl rand -base64 32)" }}
{{- end }}
{{- end }}
{{- if and (eq .Values.dataDir.type "pvc") (or (gt (int .Values.web.replicas) 1) (gt (int .Values.worker.replicas) 1)) }}
{{- fail "dataDir.type=pvc needs web.replicas and worker.replicas of at most 1: each process keeps its own Git mirrors, so pods cannot share one volume (use emptyDir to scale)" }}
{{- end }}
{{- with .Values.secret.metricsToken }}
{{- if lt (len (toString .)) 16 }}
{{- fail "secret.metricsToken must be at least 16 characters (openssl rand -hex 24)" }}
{{- end }}
{{- end }}
{{- if not (has .Values.dataDir.type (list "emptyDir" "pvc")) }}
{{- fail (printf "dataDir.type must be emptyDir or pvc (got %q)" .Values.dataDir.type) }}
{{- end }}
{{- if and .Values.rbac.create (not .Values.rbac.clusterWide) (not .Values.rbac.namespaces) }}
{{- fail "rbac.namespaces must list the namespaces Tideline may manage when rbac.clusterWide is false" }}
{{- end }}
{{- end }}

{{/* Environment shared by web and worker: the role, secrets by reference, plain settings. */}}
{{- define "tideline.env" -}}
{{- $secret := include "tideline.secretName" .root -}}
{{- $keys := .root.Values.secret.keys -}}
- name: TIDELINE_ROLE
  value: {{ .role }}
- name: TIDELINE_DATA_DIR
  value: {{ .root.Values.dataDir.path | quote }}
- name: HOME
  value: /tmp
- name: TIDELINE_WORKER_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.databaseUrl }}
- name: TIDELINE_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.secretKey }}
- name: TIDELINE_PREVIOUS_SECRET_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.previousSecretKeys }}
      optional: true
- name: TIDELINE_OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.oidcClientSecret }}
      optional: true
- name: TIDELINE_METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.metricsToken }}
      optional: true
{{- range $name, $value := .root.Values.config }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .component.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volumes every pod mounts: the data dir and a scratch /tmp (the root filesystem is read-only). */}}
{{- define "tideline.volumes" -}}
- name: data
{{- if eq .root.Values.dataDir.type "pvc" }}
  persistentVolumeClaim:
    claimName: {{ include "tideline.fullname" .root }}-{{ .role }}-data
{{- else }}
  emptyDir:
    {{- with .root.Values.dataDir.emptyDir.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end }}
- name: tmp
  emptyDir:
    {{- with .root.Values.tmpDir.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end }}

{{- define "tideline.volumeMounts" -}}
- name: data
  mountPath: {{ .Values.dataDir.path }}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* `prisma migrate deploy` before the process starts (advisory-locked, so concurrent pods are safe). */}}
{{- define "tideline.migrateInitContainer" -}}
{{- if .root.Values.migrations.enabled }}
initContainers:
  - name: migrate
    image: {{ include "tideline.image" .root }}
    imagePullPolicy: {{ .root.Values.image.pullPolicy }}
    command: ["node_modules/.bin/prisma", "migrate", "deploy"]
    env:
      {{- include "tideline.env" . | nindent 6 }}
    securityContext:
      {{- toYaml .root.Values.securityContext | nindent 6 }}
    resources:
      {{- toYaml .root.Values.migrations.resources | nindent 6 }}
    volumeMounts:
      {{- include "tideline.volumeMounts" .root | nindent 6 }}
{{- end }}
{{- end }}
