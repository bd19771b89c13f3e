{{- define "wirestream.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "wirestream.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "wirestream.labels" -}}
app.kubernetes.io/name: {{ include "wirestream.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* selectorLabels: call with (dict "ctx" . "component" "worker") */}}
{{- define "wirestream.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wirestream.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "wirestream.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "wirestream.secretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-secret" (include "wirestream.fullname" .)) -}}
{{- end -}}

{{- define "wirestream.hasSecret" -}}
{{- if or .Values.secret.existingSecret .Values.secret.env -}}true{{- end -}}
{{- end -}}

{{/* Settings for every wirestream container: the ConfigMap, then the Secret (wins). */}}
{{- define "wirestream.envFrom" -}}
- configMapRef:
    name: {{ include "wirestream.fullname" . }}-settings
{{- if include "wirestream.hasSecret" . }}
- secretRef:
    name: {{ include "wirestream.secretName" . }}
{{- end }}
{{- end -}}

{{- define "wirestream.podAnnotations" -}}
checksum/settings: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if .Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}

{{/* Writable paths on a read-only root filesystem. */}}
{{- define "wirestream.scratchVolumeMounts" -}}
- name: scratch
  mountPath: /var/lib/wirestream
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "wirestream.partitionGuard" -}}
{{- $partitions := int .Values.topics.partitions -}}
{{- if gt (int .Values.worker.replicas) $partitions -}}
{{- fail (printf "worker.replicas (%d) exceeds topics.partitions (%d): the extra workers would get no partition" (int .Values.worker.replicas) $partitions) -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.maxReplicas) $partitions) -}}
{{- fail (printf "autoscaling.maxReplicas (%d) exceeds topics.partitions (%d)" (int .Values.autoscaling.maxReplicas) $partitions) -}}
{{- end -}}
{{- end -}}
