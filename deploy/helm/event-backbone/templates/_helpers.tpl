{{- define "eb.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "eb.labels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "eb.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "eb.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "eb.registryUrl" -}}
{{- if .Values.registry.enabled -}}
http://{{ include "eb.fullname" . }}-registry:8081
{{- else -}}
{{ required "registry.url is required when registry.enabled is false" .Values.registry.url }}
{{- end -}}
{{- end -}}

{{- define "eb.apiKeysSecret" -}}
{{- if .Values.apiKeys.existingSecret -}}
{{ .Values.apiKeys.existingSecret }}
{{- else -}}
{{ include "eb.fullname" . }}-api-keys
{{- end -}}
{{- end -}}

{{/* Kafka client settings for every service: security from values, secrets as environment placeholders. */}}
{{- define "eb.kafkaClientProperties" -}}
{{- $kafka := .Values.kafka -}}
security.protocol: {{ $kafka.securityProtocol }}
{{- if $kafka.sasl.mechanism }}
sasl.mechanism: {{ $kafka.sasl.mechanism }}
sasl.jaas.config: ${KAFKA_SASL_JAAS_CONFIG}
{{- end }}
{{- if $kafka.tls.truststoreSecret.name }}
ssl.truststore.location: /etc/backbone/kafka-tls/{{ $kafka.tls.truststoreSecret.key }}
ssl.truststore.type: PKCS12
{{- if $kafka.tls.passwordSecret.name }}
ssl.truststore.password: ${KAFKA_SSL_TRUSTSTORE_PASSWORD}
{{- end }}
{{- end }}
{{- with $kafka.clientProperties }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
A service's YAML: the repository's own file (files/config, kept identical by a test), the chart's
settings (Kafka, registry, paths, advertised URL) and the user's config merged over it, in that order.
*/}}
{{- define "eb.serviceConfig" -}}
{{- $root := .root -}}
{{- $config := $root.Files.Get (printf "files/config/%s" .file) | fromYaml -}}
{{- $kafka := dict "bootstrapServers" (required "kafka.bootstrapServers is required" $root.Values.kafka.bootstrapServers) "clientProperties" (include "eb.kafkaClientProperties" $root | fromYaml) -}}
{{- $chart := dict "kafka" $kafka -}}
{{- if hasKey $config "registry" -}}
{{- $_ := set $chart "registry" (dict "url" (include "eb.registryUrl" $root) "clientProperties" (deepCopy $root.Values.registry.clientProperties)) -}}
{{- end -}}
{{- if hasKey $config "keysFile" -}}
{{- $_ := set $chart "keysFile" "/etc/backbone/keys/keys.yml" -}}
{{- end -}}
{{- $config = mergeOverwrite $config $chart (.overrides | default dict) (.userConfig | default dict | deepCopy) -}}
{{- /* Quoted: the JAAS line holds double quotes and may hold ": " or " #" (it must not hold a single quote). */ -}}
{{- toYaml $config | replace "sasl.jaas.config: ${KAFKA_SASL_JAAS_CONFIG}" "sasl.jaas.config: '${KAFKA_SASL_JAAS_CONFIG}'" -}}
{{- end -}}

{{/* The environment every service container gets: its pod name and the Kafka secrets. */}}
{{- define "eb.commonEnv" -}}
- name: POD_NAME
  valueFrom:
    fieldRef: {fieldPath: metadata.name}
- name: POD_NAMESPACE
  valueFrom:
    fieldRef: {fieldPath: metadata.namespace}
{{- if .Values.kafka.sasl.mechanism }}
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.jaasConfigSecret.name is required with a SASL mechanism" .Values.kafka.sasl.jaasConfigSecret.name }}
      key: {{ .Values.kafka.sasl.jaasConfigSecret.key }}
{{- end }}
{{- if .Values.kafka.tls.passwordSecret.name }}
- name: KAFKA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.tls.passwordSecret.name }}
      key: {{ .Values.kafka.tls.passwordSecret.key }}
{{- end }}
{{- with .Values.javaOptions }}
- name: JAVA_TOOL_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- range .Values.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef: {name: {{ .secretName }}, key: {{ .key }}}
{{- end }}
{{- end -}}

{{- define "eb.commonVolumeMounts" -}}
- name: config
  mountPath: /etc/backbone/config
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if .Values.kafka.tls.truststoreSecret.name }}
- name: kafka-tls
  mountPath: /etc/backbone/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "eb.commonVolumes" -}}
- name: config
  configMap:
    name: {{ include "eb.fullname" . }}-config
- name: tmp
  emptyDir: {}
{{- if .Values.kafka.tls.truststoreSecret.name }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.truststoreSecret.name }}
{{- end }}
{{- end -}}

{{- define "eb.keysVolumeMount" -}}
- name: api-keys
  mountPath: /etc/backbone/keys
  readOnly: true
{{- end -}}

{{- define "eb.keysVolume" -}}
- name: api-keys
  secret:
    secretName: {{ include "eb.apiKeysSecret" . }}
{{- end -}}

{{/* Liveness on the process only (/ping); readiness on "can serve" (/ready: every health check the
service needs to serve, Streams RUNNING or REBALANCING while holding tasks among them). */}}
{{- define "eb.probes" -}}
{{- $probes := .root.Values.probes -}}
startupProbe:
  httpGet: {path: {{ .pingPath }}, port: {{ .port }}}
  periodSeconds: {{ $probes.startup.periodSeconds }}
  failureThreshold: {{ $probes.startup.failureThreshold }}
livenessProbe:
  httpGet: {path: {{ .pingPath }}, port: {{ .port }}}
  periodSeconds: {{ $probes.liveness.periodSeconds }}
  failureThreshold: {{ $probes.liveness.failureThreshold }}
  timeoutSeconds: {{ $probes.liveness.timeoutSeconds }}
readinessProbe:
  httpGet: {path: {{ .healthPath }}, port: {{ .port }}}
  periodSeconds: {{ $probes.readiness.periodSeconds }}
  failureThreshold: {{ $probes.readiness.failureThreshold }}
  timeoutSeconds: {{ $probes.readiness.timeoutSeconds }}
{{- end -}}

{{- define "eb.podSpecCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
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
