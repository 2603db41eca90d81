{{/*
Names and labels. Kept apart from the configuration and TLS helpers so each file reads on its own.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "customs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The prefix of every resource name: fullnameOverride, or "<release>-<name>", or the release name
alone when it already contains the chart name (so "helm install customs" gives "customs").
Truncated to 52 characters, leaving room for the longest suffix ("-selfsigned") within 63.
*/}}
{{- define "customs.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "customs.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "customs.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "customs.labels" -}}
helm.sh/chart: {{ include "customs.chart" . }}
{{ include "customs.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: customs
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Labels that select Customs' pods; never change them, a Deployment's selector is immutable. */}}
{{- define "customs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "customs.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{- define "customs.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "customs.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Customs' image: repository:tag, with @digest when a digest is given. */}}
{{- define "customs.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag: \"latest\" is what Customs rejects; give a version (and a digest)" -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The Lease that elects the replica running the audit (customs.leader-election.lease-name). */}}
{{- define "customs.leaseName" -}}
{{- printf "%s-audit" (include "customs.fullname" .) -}}
{{- end -}}
