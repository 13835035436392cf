{{/*
One Deployment per role, from one image: `node scripts/start.mjs --role <role>` (web: the Next
server; worker: server/worker-main.ts). Called by deployment-web.yaml and deployment-worker.yaml.
*/}}
{{- define "tideline.deployment" -}}
{{- $root := .root -}}
{{- $c := .component -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "tideline.fullname" $root }}-{{ .role }}
  labels:
    {{- include "tideline.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .role }}
spec:
  replicas: {{ $c.replicas }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "tideline.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ .role }}
  template:
    metadata:
      labels:
        {{- include "tideline.labels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ .role }}
        {{- with $c.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- if not $root.Values.secret.existingSecret }}
        # Restart the pods when the chart's Secret changes (a Secret you manage: restart them yourself).
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- end }}
        {{- with $c.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "tideline.serviceAccountName" $root }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      {{- with $c.terminationGracePeriodSeconds }}
      terminationGracePeriodSeconds: {{ . }}
      {{- end }}
      {{- with include "tideline.migrateInitContainer" . | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      containers:
        - name: {{ .role }}
          image: {{ include "tideline.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          command: ["node", "scripts/start.mjs", "--role", {{ .role | quote }}]
          env:
            {{- include "tideline.env" . | nindent 12 }}
            {{- if eq .role "web" }}
            - name: PORT
              value: {{ $c.port | quote }}
            {{- else }}
            - name: TIDELINE_METRICS_PORT
              value: {{ $c.metricsPort | default 0 | quote }}
            {{- end }}
          {{- if eq .role "web" }}
          ports:
            - name: http
              containerPort: {{ $c.port }}
              protocol: TCP
          {{- else if $c.metricsPort }}
          ports:
            - name: metrics
              containerPort: {{ $c.metricsPort }}
              protocol: TCP
          {{- end }}
          {{- with $c.startupProbe }}
          startupProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $c.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $c.readinessProbe }}
          readinessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          volumeMounts:
            {{- include "tideline.volumeMounts" $root | nindent 12 }}
            {{- if eq .role "web" }}
            # Next writes its fetch/image cache here; the rest of the root filesystem stays read-only.
            - name: next-cache
              mountPath: /app/.next/cache
            {{- end }}
      volumes:
        {{- include "tideline.volumes" . | nindent 8 }}
        {{- if eq .role "web" }}
        - name: next-cache
          emptyDir:
            sizeLimit: 1Gi
        {{- end }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}
