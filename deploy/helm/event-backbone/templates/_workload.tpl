{{/*
One service: its workload (a StatefulSet with a PVC per pod, or a Deployment), a Service for clients,
for a StatefulSet a headless Service that gives each pod the stable DNS name its advertised URL uses
(queries for keys another pod owns are forwarded there), and a PodDisruptionBudget.
Parameters: root, component, values, run (the `backbone run` service), file (its YAML), port, adminPort,
pingPath/healthPath, stateful, keys (mounts the API keys), extraMounts, extraVolumes.
*/}}
{{- define "eb.workload" -}}
{{- $root := .root -}}
{{- $fullname := include "eb.fullname" $root -}}
{{- $name := printf "%s-%s" $fullname .component -}}
{{- $values := .values -}}
{{- $ctx := dict "root" $root "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "eb.labels" $ctx | nindent 4 }}
spec:
  type: {{ dig "service" "type" "ClusterIP" $values }}
  selector:
    {{- include "eb.selectorLabels" $ctx | nindent 4 }}
  ports:
    - {name: http, port: {{ .port }}, targetPort: http}
    {{- if .adminPort }}
    - {name: admin, port: {{ .adminPort }}, targetPort: admin}
    {{- end }}
{{- if .stateful }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}-headless
  labels:
    {{- include "eb.labels" $ctx | nindent 4 }}
spec:
  clusterIP: None
  # A forwarded query must reach its owner even while that pod restores (it answers 503 with a reason),
  # so every pod has its DNS name from the start.
  publishNotReadyAddresses: true
  selector:
    {{- include "eb.selectorLabels" $ctx | nindent 4 }}
  ports:
    - {name: http, port: {{ .port }}, targetPort: http}
{{- end }}
---
apiVersion: apps/v1
kind: {{ if .stateful }}StatefulSet{{ else }}Deployment{{ end }}
metadata:
  name: {{ $name }}
  labels:
    {{- include "eb.labels" $ctx | nindent 4 }}
spec:
  {{- if not (and (dig "autoscaling" "enabled" false $values) (not .stateful)) }}
  replicas: {{ $values.replicas }}
  {{- end }}
  {{- if .stateful }}
  serviceName: {{ $name }}-headless
  # Every pod starts at once, so after a full restart the tasks spread over all of them instead of
  # the first pod restoring everything alone; a rolling update still replaces one pod at a time, and
  # its state stays on its PVC, so only what it missed meanwhile is restored.
  podManagementPolicy: Parallel
  updateStrategy: {type: RollingUpdate}
  {{- else }}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 0, maxSurge: 1}
  {{- end }}
  selector:
    matchLabels:
      {{- include "eb.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "eb.labels" $ctx | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    spec:
      {{- include "eb.podSpecCommon" $root | nindent 6 }}
      # On SIGTERM Jetty drains its requests, then each Kafka Streams application closes (up to 30 s
      # each) and leaves its group; a close cut short by SIGKILL costs a full restore under exactly-once.
      terminationGracePeriodSeconds: {{ $root.Values.terminationGracePeriodSeconds }}
      containers:
        - name: {{ .component }}
          image: {{ include "eb.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [run, {{ .run }}, --config, /etc/backbone/config/{{ .file }}]
          ports:
            - {name: http, containerPort: {{ .port }}}
            {{- if .adminPort }}
            - {name: admin, containerPort: {{ .adminPort }}}
            {{- end }}
          env:
            {{- include "eb.commonEnv" $root | nindent 12 }}
          {{- include "eb.probes" (dict "root" $root "port" (ternary "admin" "http" (not (empty .adminPort))) "pingPath" .pingPath "healthPath" .healthPath) | nindent 10 }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.securityContext | nindent 12 }}
          volumeMounts:
            {{- include "eb.commonVolumeMounts" $root | nindent 12 }}
            {{- if .keys }}
            {{- include "eb.keysVolumeMount" $root | nindent 12 }}
            {{- end }}
            {{- if .stateful }}
            - name: data
              mountPath: /var/lib/backbone
            {{- end }}
            {{- with .extraMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        {{- include "eb.commonVolumes" $root | nindent 8 }}
        {{- if .keys }}
        {{- include "eb.keysVolume" $root | nindent 8 }}
        {{- end }}
        {{- with .extraVolumes }}
        {{- . | nindent 8 }}
        {{- end }}
  {{- if .stateful }}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- include "eb.selectorLabels" $ctx | nindent 10 }}
      spec:
        accessModes: [ReadWriteOnce]
        {{- with .persistence.storageClass }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ .persistence.size }}
  {{- end }}
{{- if $root.Values.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  labels:
    {{- include "eb.labels" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ $root.Values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "eb.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- end -}}
