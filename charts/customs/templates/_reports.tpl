{{/*
The report CRDs, installed only with reports.installCRDs: Kyverno, Kubewarden or the OpenReports
chart may have installed them already. Written from the report API types (openreports.io
v1alpha1, wgpolicyk8s.io v1alpha2): every field of those types, so other tools' reports are
stored as they write them. Both kinds of each group are installed,
namespaced and cluster-wide, as readers such as Policy Reporter watch both; Customs itself only
writes the namespaced one. "helm.sh/resource-policy: keep": uninstalling Customs must not delete
the reports of every other tool with the CRD.
*/}}

{{/* The schema of one report kind; $openreports adds the fields only OpenReports has. */}}
{{- define "customs.reportSchema" -}}
{{- $openreports := . -}}
type: object
properties:
  apiVersion:
    type: string
  kind:
    type: string
  metadata:
    type: object
  {{- if $openreports }}
  source:
    description: The tool that wrote the report, when all its results come from one.
    type: string
  configuration:
    description: What readers can expect of the report, such as its cap on results.
    type: object
    required: ["limits"]
    properties:
      limits:
        type: object
        properties:
          maxResults:
            description: The most results the report holds.
            type: integer
          statusFilter:
            description: The only result values the report holds.
            type: array
            items:
              type: string
              enum: ["pass", "fail", "warn", "error", "skip"]
  {{- end }}
  scope:
    description: The object the report is about.
    type: object
    x-kubernetes-map-type: atomic
    properties:
      apiVersion: {type: string}
      fieldPath: {type: string}
      kind: {type: string}
      name: {type: string}
      namespace: {type: string}
      resourceVersion: {type: string}
      uid: {type: string}
  scopeSelector:
    description: The objects the report is about, by label, when it is about several.
    {{- include "customs.labelSelectorSchema" . | nindent 4 }}
  summary:
    description: How many results have each value.
    type: object
    properties:
      pass: {type: integer}
      fail: {type: integer}
      warn: {type: integer}
      error: {type: integer}
      skip: {type: integer}
  results:
    description: One entry per policy (rule) outcome.
    type: array
    items:
      type: object
      required: ["policy"]
      properties:
        source:
          description: The tool that produced the result.
          type: string
        policy:
          description: The policy's name or id.
          type: string
        rule:
          description: The rule's name or id within the policy.
          type: string
        category:
          type: string
        severity:
          type: string
          enum: ["critical", "high", "low", "medium", "info"]
        timestamp:
          type: object
          required: ["seconds", "nanos"]
          properties:
            seconds: {type: integer, format: int64}
            nanos: {type: integer, format: int32}
        result:
          type: string
          enum: ["pass", "fail", "warn", "error", "skip"]
        scored:
          type: boolean
        resources:
          description: The objects the result is about, when not the report's scope.
          type: array
          items:
            type: object
            x-kubernetes-map-type: atomic
            properties:
              apiVersion: {type: string}
              fieldPath: {type: string}
              kind: {type: string}
              name: {type: string}
              namespace: {type: string}
              resourceVersion: {type: string}
              uid: {type: string}
        resourceSelector:
          description: The objects the result is about, by label.
          {{- include "customs.labelSelectorSchema" . | nindent 10 }}
        message:
          type: string
        properties:
          type: object
          additionalProperties:
            type: string
{{- end -}}

{{/* A metav1.LabelSelector. */}}
{{- define "customs.labelSelectorSchema" -}}
type: object
x-kubernetes-map-type: atomic
properties:
  matchLabels:
    type: object
    additionalProperties:
      type: string
  matchExpressions:
    type: array
    x-kubernetes-list-type: atomic
    items:
      type: object
      required: ["key", "operator"]
      properties:
        key: {type: string}
        operator: {type: string}
        values:
          type: array
          x-kubernetes-list-type: atomic
          items:
            type: string
{{- end -}}

{{/* The printer columns both groups show: the scope and the summary. */}}
{{- define "customs.reportColumns" -}}
- {name: Kind, type: string, jsonPath: .scope.kind, priority: 1}
- {name: Name, type: string, jsonPath: .scope.name, priority: 1}
- {name: Pass, type: integer, jsonPath: .summary.pass}
- {name: Fail, type: integer, jsonPath: .summary.fail}
- {name: Warn, type: integer, jsonPath: .summary.warn}
- {name: Error, type: integer, jsonPath: .summary.error}
- {name: Skip, type: integer, jsonPath: .summary.skip}
- {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
{{- end -}}

{{/* One CRD: (list root group version kind plural shortName scope openreports). */}}
{{- define "customs.reportCrd" -}}
{{- $root := index . 0 -}}
{{- $group := index . 1 -}}
{{- $version := index . 2 -}}
{{- $kind := index . 3 -}}
{{- $plural := index . 4 -}}
{{- $short := index . 5 -}}
{{- $scope := index . 6 -}}
{{- $openreports := index . 7 -}}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {{ $plural }}.{{ $group }}
  labels:
    {{- include "customs.labels" $root | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
spec:
  group: {{ $group }}
  scope: {{ $scope }}
  names:
    kind: {{ $kind }}
    listKind: {{ $kind }}List
    plural: {{ $plural }}
    singular: {{ lower $kind }}
    shortNames: [{{ $short }}]
  versions:
    - name: {{ $version }}
      served: true
      storage: true
      additionalPrinterColumns:
        {{- include "customs.reportColumns" $root | nindent 8 }}
      schema:
        openAPIV3Schema:
          {{- include "customs.reportSchema" $openreports | nindent 10 }}
{{- end -}}
